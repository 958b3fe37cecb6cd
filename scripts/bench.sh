#!/usr/bin/env bash
# The benchmark harness (BENCHMARKS.md). Builds the release portal, and for each database and size: seeds a
# realistic population (`server bench-seed`), starts the release server on it and the bare axum handler
# (`server bare`) beside it, drives both with wrk on loopback and prints one table in which every figure
# is also a ratio to the bare handler measured in the same run.
#
#   bash scripts/bench.sh                          # SQLite and PostgreSQL, 10,000 and 1,000,000 requests
#   bash scripts/bench.sh --sizes 10000 --backends sqlite --duration 5
#   bash scripts/bench.sh --smoke                  # seconds: proves the harness works (run by test.sh)
#   bash scripts/bench.sh --stress 100000 --sizes 0  # only the page-render stress test, long version (#13)
#   bash scripts/bench.sh --smoke --sizes 10000 --duration 5 --connections 64 --posts 100000 --comments 50000
#                                                  # the wall's figures (#16) without the release WASM build
#
# Every run also seeds the wall: --posts posts (100,000; every tenth with 5 comments), the newest of them
# with --comments top-level comments (50,000) and 60 replies under its newest comment.
#
# After the table, the stress test (server/tests/stress.rs, release build) renders every page kind at
# 32 in flight, --stress times per database (100,000 by default; 0 skips it): 0 panics, 0 stalled.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$SC3_ROOT"

sizes="10000,1000000"
backends="sqlite,postgres"
duration=10
connections=64
takes=400
smoke=""
stress=100000
posts=100000
comments=50000
while [ $# -gt 0 ]; do
  case "$1" in
    --sizes) sizes="$2"; shift 2 ;;
    --backends) backends="$2"; shift 2 ;;
    --duration) duration="$2"; shift 2 ;;
    --smoke) smoke=yes; sizes=1000; duration=1; connections=8; takes=20; stress=0; posts=200; comments=500; shift ;;
    --connections) connections="$2"; shift 2 ;;
    --posts) posts="$2"; shift 2 ;;
    --comments) comments="$2"; shift 2 ;;
    --stress) stress="$2"; shift 2 ;;
    *) die "unknown argument $1 (see the top of scripts/bench.sh)" ;;
  esac
done

apt_ensure wrk brotli curl
if [ -z "$smoke" ]; then
  bash scripts/setup.sh
  log "building the release portal (server and WASM)"
  rm -rf "$SC3_ROOT/target/site/pkg" # no chunk of an earlier build may count
  cargo leptos build --release --split
  precompress_site
fi
# The same server, with the harness' own commands (`bench-seed`, `bare`) that the portal's build leaves out.
cargo build --release --locked -p server --features bench
bin="$CARGO_TARGET_DIR/release/server"
[ -x "$bin" ] || die "no release server at $bin"

work="$(mktemp -d)"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
password="bench-password-$RANDOM-$RANDOM"
results="$work/results.tsv"
: >"$results"

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_up() { for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; die "nothing answers at $1"; }
rss_kb() { awk -v k="$2" '$1==k":" {print $2}' "/proc/$1/status"; }

# One wrk run → one row: backend size scenario requests rps p50 p95 p99 (ms).
run_wrk() {
  local backend=$1 size=$2 name=$3 url=$4 threads=$5 conns=$6
  local out
  out="$(wrk -t"$threads" -c"$conns" -d"${duration}s" --timeout 10s -s scripts/bench.lua "$url" 2>&1)" ||
    die "wrk failed for $name: $out"
  local line
  line="$(grep '^RESULT ' <<<"$out")" || die "wrk printed no result for $name: $out"
  local requests duration_us errors non2xx p50 p95 p99
  requests=$(sed -E 's/.* requests=([0-9]+).*/\1/' <<<"$line")
  duration_us=$(sed -E 's/.* duration_us=([0-9]+).*/\1/' <<<"$line")
  errors=$(sed -E 's/.* errors=([0-9]+).*/\1/' <<<"$line")
  non2xx=$(sed -E 's/.* non2xx=([0-9]+).*/\1/' <<<"$line")
  p50=$(sed -E 's/.* p50_us=([0-9]+).*/\1/' <<<"$line")
  p95=$(sed -E 's/.* p95_us=([0-9]+).*/\1/' <<<"$line")
  p99=$(sed -E 's/.* p99_us=([0-9]+).*/\1/' <<<"$line")
  [ "$requests" -gt 0 ] || die "$name: no request completed"
  [ "$errors" -eq 0 ] || die "$name: $errors socket errors"
  [ "$non2xx" -eq 0 ] || die "$name: $non2xx answers were not 2xx"
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$backend" "$size" "$name" "$requests" \
    "$(awk -v r="$requests" -v d="$duration_us" 'BEGIN {printf "%.0f", r / (d / 1e6)}')" \
    "$p50" "$p95" "$p99" >>"$results"
}

log_in() { # email → "name=value" of the session cookie
  local jar="$work/jar-$RANDOM"
  curl -fs -o /dev/null -c "$jar" -H 'Accept: application/json' \
    --data-urlencode "email=$1" --data-urlencode "password=$password" "$2/api/login" ||
    die "could not log in as $1"
  awk '!/^#/ && NF >= 7 {printf "%s%s=%s", sep, $6, $7; sep="; "} /^#HttpOnly_/ {printf "%s%s=%s", sep, $6, $7; sep="; "}' "$jar"
}

pg_admin_url=""
if [[ ",$backends," == *,postgres,* ]]; then
  if [ -z "${TEST_DATABASE_URL:-}" ]; then start_local_postgres || die "no PostgreSQL for the benchmark"; fi
  pg_admin_url="${TEST_DATABASE_URL%/*}/postgres"
  apt_ensure postgresql-client
fi

bare_port=$(free_port)
"$bin" --bind "127.0.0.1:$bare_port" bare >"$work/bare.log" 2>&1 &
pids+=($!)
wait_up "http://127.0.0.1:$bare_port/"

memory="$work/memory.tsv"
: >"$memory"
IFS=, read -ra backend_list <<<"$backends"
IFS=, read -ra size_list <<<"$sizes"
[ "$sizes" = "0" ] && size_list=()
for backend in "${backend_list[@]}"; do
  for size in "${size_list[@]}"; do
    case "$backend" in
      sqlite) url="sqlite://$work/bench-$size.db" ;;
      postgres)
        psql -X -q "$pg_admin_url" -c "DROP DATABASE IF EXISTS sc3_bench WITH (FORCE)" -c "CREATE DATABASE sc3_bench"
        url="${TEST_DATABASE_URL%/*}/sc3_bench" ;;
      *) die "unknown backend $backend" ;;
    esac
    log "$backend, $size requests: seeding"
    seeded="$(printf '%s\n' "$password" | "$bin" --database-url "$url" bench-seed --requests "$size" \
      --posts "$posts" --comments "$comments")"
    customer=$(sed -n 's/^customer=//p' <<<"$seeded")
    staff=$(sed -n 's/^staff=//p' <<<"$seeded")
    conversation=$(sed -n 's/^conversation=//p' <<<"$seeded")
    busy_post=$(sed -n 's/^busy_post=//p' <<<"$seeded")
    quiet_post=$(sed -n 's/^quiet_post=//p' <<<"$seeded")
    middle_comment=$(sed -n 's/^middle_comment=//p' <<<"$seeded")
    log "  seeded the wall: $(sed -n 's/^posts=//p' <<<"$seeded") posts, $(sed -n 's/^comments=//p' <<<"$seeded") comments"
    log "  seeded $(sed -n 's/^requests=//p' <<<"$seeded") requests, $(sed -n 's/^events=//p' <<<"$seeded") events in $(sed -n 's/^seconds=//p' <<<"$seeded") s"

    port=$(free_port)
    base="http://127.0.0.1:$port"
    "$bin" --bind "127.0.0.1:$port" --database-url "$url" --site-root "$SC3_ROOT/target/site" \
      --mail-dir "$work/mail" --limit-global-ip 1000000000/1 --limit-login-ip 1000/1 \
      --limit-new-request 1000000000/1 >"$work/server-$backend-$size.log" 2>&1 &
    server_pid=$!
    pids+=("$server_pid")
    wait_up "$base/healthz"
    sleep 1
    idle=$(rss_kb "$server_pid" VmRSS)
    customer_cookie="$(log_in "$customer" "$base")"
    staff_cookie="$(log_in "$staff" "$base")"

    log "  measuring (${duration} s a scenario, $connections connections)"
    export BENCH_METHOD=GET BENCH_BODY="" BENCH_COOKIE="" BENCH_LIMIT=0
    run_wrk "$backend" "$size" "bare axum handler" "http://127.0.0.1:$bare_port/" 2 "$connections"
    run_wrk "$backend" "$size" "wall (home page), $posts posts" "$base/" 2 "$connections"
    run_wrk "$backend" "$size" "post page, 5 comments" "$base/post/$quiet_post" 2 "$connections"
    run_wrk "$backend" "$size" "post page, $comments comments" "$base/post/$busy_post" 2 "$connections"
    run_wrk "$backend" "$size" "post page, $comments comments, oldest first" \
      "$base/post/$busy_post?ordine=vecchi" 2 "$connections"
    BENCH_METHOD=POST BENCH_BODY="post=$busy_post&oldest=false&after=$middle_comment" \
      run_wrk "$backend" "$size" "comments page from the middle (live fetch)" "$base/api/wall/comments" 2 "$connections"
    BENCH_COOKIE="$customer_cookie" run_wrk "$backend" "$size" "my requests page" "$base/assistenza/richieste" 2 "$connections"
    BENCH_COOKIE="$customer_cookie" run_wrk "$backend" "$size" "request page, 200 messages" \
      "$base/assistenza/richieste/$conversation" 2 "$connections"
    # Staff pages: a care pool of 4 working at once (64 connections hammering one queue is not a use).
    BENCH_COOKIE="$staff_cookie" run_wrk "$backend" "$size" "staff queue page (4 staff)" "$base/admin" 1 4
    BENCH_METHOD=POST BENCH_COOKIE="$staff_cookie" BENCH_LIMIT=$takes \
      run_wrk "$backend" "$size" "take next (4 staff)" "$base/api/staff/take-next" 1 4
    BENCH_METHOD=POST BENCH_COOKIE="$customer_cookie" BENCH_MULTIPART=1 \
      BENCH_BODY="category=billing&subject=Ricarica+non+arrivata&description=La+ricarica+fatta+ieri+online+non+risulta+accreditata+sul+numero.&line_number=%2B393330000000&contact=portal&reported_on=none&public_handle=&consent=on" \
      run_wrk "$backend" "$size" "submit a request" "$base/api/requests/submit" 2 "$connections"
    if [ "$backend" = "${backend_list[0]}" ] && [ "$size" = "${size_list[0]}" ] &&
      [ -f "$SC3_ROOT/target/site/pkg/social-care-3.wasm" ]; then
      # What a first visit downloads for the home page, compressed as served (HTML, CSS, JS, WASM).
      transfer=0
      # With code splitting, the home route's own chunks too (from cargo-leptos' split manifest).
      home_files="$(python3 - "$SC3_ROOT/target/site/pkg" <<'PY'
import json, os, sys
pkg = sys.argv[1]
files = ["social-care-3.css", "social-care-3.js", "social-care-3.wasm"]
manifest = os.path.join(pkg, "__wasm_split_manifest.json")
if os.path.exists(manifest):
    files += [f for f in os.listdir(pkg) if f.startswith("__wasm_split") and f.endswith(".js")]
    for key, chunks in json.load(open(manifest)).items():
        if key.startswith("__home_route_view"):
            files += [f"split_{key}.wasm"] + [f"{c}.wasm" for c in chunks]
print(" ".join("/pkg/" + f for f in files))
PY
)"
      for path in / $home_files; do
        bytes=$(curl -fs -o /dev/null -H 'Accept-Encoding: br, gzip' -w '%{size_download}' "$base$path") ||
          die "the home page's $path did not load"
        transfer=$((transfer + bytes))
      done
      echo "home page first-visit transfer $transfer B ($(wc -w <<<"/ $home_files") files: HTML, CSS, JS, main WASM and the home route's chunks, compressed as served)" >"$work/transfer"
    fi
    loaded=$(rss_kb "$server_pid" VmHWM)
    printf '%s\t%s\t%s\t%s\n' "$backend" "$size" "$idle" "$loaded" >>"$memory"
    kill "$server_pid"; wait "$server_pid" 2>/dev/null || true
    grep -F "panicked" "$work/server-$backend-$size.log" >&2 && die "the server panicked during the benchmark"
  done
done

# Sizes of what a phone downloads for the home page (compressed as served).
wasm="$SC3_ROOT/target/site/pkg/social-care-3.wasm"
size_line=""
if [ -f "$wasm" ]; then
  wasm_raw=$(stat -c %s "$wasm")
  wasm_br=$(brotli -c -q 11 "$wasm" | wc -c)
  size_line="main WASM (every visitor) $wasm_raw B raw, $wasm_br B brotli"
  pages=("$SC3_ROOT"/target/site/pkg/split_*.wasm)
  if [ -f "${pages[0]}" ]; then
    largest=$(ls -S "${pages[@]}" | head -n1)
    all_br=$(cat "$SC3_ROOT"/target/site/pkg/*.wasm | brotli -c -q 11 | wc -c)
    size_line="$size_line; ${#pages[@]} page chunks, the largest $(basename "$largest") $(stat -c %s "$largest") B raw, $(brotli -c -q 11 "$largest" | wc -c) B brotli; every WASM file together $all_br B brotli"
  fi
fi

[ -f "$work/transfer" ] && size_line="$size_line; $(cat "$work/transfer")"
python3 - "$results" "$memory" "$size_line" "$duration" "$connections" <<'PY'
import sys, collections
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
mem = [l.rstrip("\n").split("\t") for l in open(sys.argv[2]) if l.strip()]
bare = {(r[0], r[1]): r for r in rows if r[2] == "bare axum handler"}
print()
print(f"{sys.argv[4]} s a scenario, {sys.argv[5]} connections (take next: 4), loopback, wrk")
print()
print("| database | stored requests | scenario | answers | req/s | % of bare req/s | p50 ms | p95 ms | p99 ms | p99 ÷ bare p99 |")
print("| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for b, s, name, n, rps, p50, p95, p99 in rows:
    base = bare[(b, s)]
    ratio = float(p99) / max(float(base[7]), 1)
    ms = lambda us: f"{int(us) / 1000:.2f}"
    # A scenario stopped after a fixed number of answers has no meaningful rate.
    rate, share = ("—", "—") if name.startswith("take next") else (f"{int(rps):,}", f"{100 * float(rps) / float(base[4]):.0f}%")
    print(f"| {b} | {int(s):,} | {name} | {int(n):,} | {rate} | {share} | {ms(p50)} | {ms(p95)} | {ms(p99)} | {ratio:.1f} |")
print()
for b, s, idle, peak in mem:
    print(f"- server memory, {b}, {int(s):,} requests: {int(idle) / 1024:.1f} MB RSS idle, {int(peak) / 1024:.1f} MB peak under load")
if sys.argv[3]:
    print(f"- {sys.argv[3]}")
PY

if [ "$stress" -gt 0 ]; then
  log "stress: every page kind, $stress renders per database, 32 in flight (server/tests/stress.rs)"
  [ -n "$pg_admin_url" ] || unset TEST_DATABASE_URL
  SC3_STRESS_RENDERS="$stress" cargo test --release --locked -p server --features bench --test stress -- --nocapture 2>&1 |
    grep -E "renders of|panicked|stalled|test result" >&2
  [ "${PIPESTATUS[0]}" -eq 0 ] || die "the stress test failed"
fi

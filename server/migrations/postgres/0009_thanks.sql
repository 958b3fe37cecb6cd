-- Public thanks (#16): after rating a request 4 or 5, its customer may thank the page on the wall (their
-- text, through the same privacy guard and word list as comments; nothing of the request is shown).
CREATE TABLE thanks (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id  BIGINT NOT NULL UNIQUE REFERENCES requests (id),
    author_id   BIGINT NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

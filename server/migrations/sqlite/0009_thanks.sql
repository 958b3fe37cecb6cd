-- Public thanks (#16): after rating a request 4 or 5, its customer may thank the page on the wall (their
-- text, through the same privacy guard and word list as comments; nothing of the request is shown).
CREATE TABLE thanks (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    request_id  INTEGER NOT NULL UNIQUE REFERENCES requests (id),
    author_id   INTEGER NOT NULL REFERENCES users (id),
    body        TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);

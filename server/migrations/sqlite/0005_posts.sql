-- The page's wall (#16): the brand's posts. Staff with the editor permission (and admins) write them.
ALTER TABLE users ADD COLUMN editor BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE posts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT NOT NULL CHECK (kind IN ('news', 'offer', 'question', 'notice')),
    body        TEXT NOT NULL,
    author_id   INTEGER NOT NULL REFERENCES users (id),
    created_at  INTEGER NOT NULL,
    -- Shown on the wall from this time on (a scheduled post waits until then).
    publish_at  INTEGER NOT NULL,
    edited_at   INTEGER,
    deleted_at  INTEGER,
    -- At most one post is pinned at a time (pinning one unpins the others, in one transaction).
    pinned_at   INTEGER
);
-- The wall, newest first by keyset: (publish_at, id) of the live posts.
CREATE INDEX posts_wall ON posts (publish_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX posts_pinned ON posts (pinned_at) WHERE pinned_at IS NOT NULL;

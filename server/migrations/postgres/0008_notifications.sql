-- The fans' notifications (#16): the bell in the shell. Written in the transaction of what causes them:
-- an answer to their comment (a fan's reply, or the page's), their comment taken to private, published
-- after review, or hidden.
CREATE TABLE notifications (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    kind        TEXT NOT NULL CHECK (kind IN ('reply', 'page_answer', 'private', 'published', 'hidden')),
    post_id     BIGINT NOT NULL REFERENCES posts (id),
    comment_id  BIGINT NOT NULL REFERENCES comments (id),
    created_at  BIGINT NOT NULL,
    read_at     BIGINT
);
CREATE INDEX notifications_by_user ON notifications (user_id, id);
CREATE INDEX notifications_unread ON notifications (user_id) WHERE read_at IS NULL;

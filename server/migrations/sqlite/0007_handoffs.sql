-- "Take it to private" (#16): a fan's public comment handed to a private request. The page answers under
-- the comment (`reply_id`, written by the pool); the fan gets a link to a request form holding the
-- comment's text, and the request they send is linked here. The public answer shows the request's
-- outcome ("solved in private"), never more of it.
CREATE TABLE comment_handoffs (
    comment_id   INTEGER PRIMARY KEY REFERENCES comments (id),
    customer_id  INTEGER NOT NULL REFERENCES users (id),
    reply_id     INTEGER NOT NULL UNIQUE REFERENCES comments (id),
    request_id   INTEGER REFERENCES requests (id),
    created_by   INTEGER NOT NULL REFERENCES users (id),
    created_at   INTEGER NOT NULL
);

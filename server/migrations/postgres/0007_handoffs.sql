-- "Take it to private" (#16): a fan's public comment handed to a private request. The page answers under
-- the comment (`reply_id`, written by the pool); the fan gets a link to a request form holding the
-- comment's text, and the request they send is linked here. The public answer shows the request's
-- outcome ("solved in private"), never more of it.
CREATE TABLE comment_handoffs (
    comment_id   BIGINT PRIMARY KEY REFERENCES comments (id),
    customer_id  BIGINT NOT NULL REFERENCES users (id),
    reply_id     BIGINT NOT NULL UNIQUE REFERENCES comments (id),
    request_id   BIGINT REFERENCES requests (id),
    created_by   BIGINT NOT NULL REFERENCES users (id),
    created_at   BIGINT NOT NULL
);

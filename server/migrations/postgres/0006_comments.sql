-- Fans' comments under the page's posts (#16), their reactions and reports, and the page's word list.

-- Published comments of a post (replies included), kept with every change so the wall never counts rows.
ALTER TABLE posts ADD COLUMN comment_count BIGINT NOT NULL DEFAULT 0;

CREATE TABLE comments (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    post_id       BIGINT NOT NULL REFERENCES posts (id),
    -- The comment a reply answers (one level: a reply is never replied to).
    parent_id     BIGINT REFERENCES comments (id),
    author_id     BIGINT NOT NULL REFERENCES users (id),
    body          TEXT NOT NULL,
    -- held: waiting for review (only its author and the pool see it); hidden: taken down by the pool.
    state         TEXT NOT NULL CHECK (state IN ('published', 'held', 'hidden')),
    -- Written by a member of the pool: shown as the page's own answer.
    from_staff    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    edited_at     BIGINT,
    deleted_at    BIGINT,
    -- Reports not looked at yet: a comment with any is in the moderation queue.
    open_reports  BIGINT NOT NULL DEFAULT 0,
    -- Published replies, kept with every change.
    reply_count   BIGINT NOT NULL DEFAULT 0,
    moderated_at  BIGINT,
    moderated_by  BIGINT REFERENCES users (id)
);
-- A post's comments by keyset, either way; a comment's replies, oldest first.
CREATE INDEX comments_post ON comments (post_id, id) WHERE parent_id IS NULL;
CREATE INDEX comments_thread ON comments (parent_id, id) WHERE parent_id IS NOT NULL;
-- The moderation queue: held or reported, oldest first.
CREATE INDEX comments_review ON comments (id) WHERE deleted_at IS NULL AND (state = 'held' OR open_reports > 0);

CREATE TABLE comment_reports (
    comment_id   BIGINT NOT NULL REFERENCES comments (id),
    reporter_id  BIGINT NOT NULL REFERENCES users (id),
    reason       TEXT NOT NULL CHECK (reason IN ('offensive', 'spam', 'personal_data', 'other')),
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (comment_id, reporter_id)
);

-- One reaction per person on each post or comment.
CREATE TABLE reactions (
    target      TEXT NOT NULL CHECK (target IN ('post', 'comment')),
    target_id   BIGINT NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users (id),
    reaction    TEXT NOT NULL CHECK (reaction IN ('like', 'love', 'laugh', 'wow', 'sad')),
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (target, target_id, user_id)
);
-- The counts shown, changed in the same transaction as the reactions.
CREATE TABLE reaction_counts (
    target     TEXT NOT NULL,
    target_id  BIGINT NOT NULL,
    reaction   TEXT NOT NULL,
    count      BIGINT NOT NULL,
    PRIMARY KEY (target, target_id, reaction)
);

-- The word list admins edit (one entry per line, `*` at the end matches any ending).
INSERT INTO settings (key, value, updated_at) VALUES ('word_list', 'bastard*
cazz*
coglion*
cretin*
deficient*
idiot*
imbecill*
merd*
puttan*
stronz*
troi*
vaffanculo
fanculo
asshole*
bitch*
bullshit
cunt*
dickhead*
fuck*
moron
shit
shitty
', 0);

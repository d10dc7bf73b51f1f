"""Forum search: full-text over what the searcher may see (decision 0010). PostgreSQL uses a
tsvector column with a GIN index, the embedded SQLite default an FTS5 table; both sit behind
`search_posts` in `peerhaven.forums.search.engine`."""

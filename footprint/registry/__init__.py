"""The public declaration registry (Regulation (EU) 2024/1252, Art. 31(10)): website, JSON API, database.

Modules: `models` (tables) and `db` (engines, Alembic migrations in `migrations/`), `accounts`
(roles, tokens), `checks` (what is refused), `service` (publish, supersede, withdraw, attest),
`queries` (search, history, market data), `plots` (distribution under the privacy rule),
`app` (FastAPI application and guards), `api` and `pages` (routers), `deps` (what routers
depend on), `client` (the HTTP client the CLI uses). See docs/registry.md.
"""

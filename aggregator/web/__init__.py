"""The web side: one ASGI application (Starlette) served by uvicorn.

    app.py      create_app(): the published site at / (static files); the editor area and the
                public forms of later issues are routes of the same application
    static.py   the published folder: content types, validators and 304, cache headers, the 404
                page, no listings, nothing outside the current build
    server.py   WebServer: uvicorn in a background thread, bound at construction, with deadlines
                for slow clients

Nothing in the crawler imports this package: the CLI (and later the scheduler) sit on top of it.
"""

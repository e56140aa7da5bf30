"""workshop: live participatory priority-setting. `create_app` only wires the parts."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

from workshop.web.flask_app import WorkshopFlask

ENV_SETTINGS = ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "PUBLIC_URL", "TRUSTED_PROXIES",
                "ALLOWED_HOSTS", "BABEL_DEFAULT_TIMEZONE")


def _instance_secret(instance: Path) -> str:
    """Return the instance's persistent secret key, creating it on first run."""
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _asset_folder(name: str) -> str:
    """Return where the pages' templates or static files are: inside the installed package
    (the wheel maps the repository's top-level folders there), else beside the package."""
    packaged = Path(__file__).parent / name
    return str(packaged if packaged.is_dir() else Path(__file__).parent.parent / name)


def create_app(test_config: dict[str, Any] | None = None) -> WorkshopFlask:
    """Build the Flask app: defaults, then the environment, then `test_config`.

    The database schema is only checked, never changed, unless MIGRATE_ON_START is True
    (`workshop serve` and `workshop migrate`): a database that is not at the newest
    migration raises store.db.SchemaNotCurrent (see store/db.py, init_app).
    """
    instance = os.environ.get("WORKSHOP_INSTANCE")
    app = WorkshopFlask(__name__, instance_path=os.path.abspath(instance) if instance else None,
                        template_folder=_asset_folder("templates"),
                        static_folder=_asset_folder("static"))
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'workshop.db'}",
        REDIS_URL=None,
        PUBLIC_URL=None,
        PUSH_INTERVAL=0.25,
        MAX_CONTENT_LENGTH=64 * 1024,
        BABEL_DEFAULT_LOCALE="fr",
        # Times in the exports and pages: Québec's (Eastern) time unless set otherwise.
        BABEL_DEFAULT_TIMEZONE="America/Toronto",
        LANGUAGES=("fr", "en"),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        PERMANENT_SESSION_LIFETIME=timedelta(days=7),
        # Send the cookie only when the session changes: a slow response carrying an old
        # cookie must not undo a newer change (such as a language switch).
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_SSL_STRICT=False,
    )
    for name in ENV_SETTINGS:
        if os.environ.get(name):
            app.config[name] = os.environ[name]
    if test_config:
        app.config.update(test_config)
    if str(app.config.get("PUBLIC_URL") or "").lower().startswith("https://") and \
            "SESSION_COOKIE_SECURE" not in (test_config or {}):
        # Reached over https: the cookie (a phone's identity) never travels in clear.
        app.config["SESSION_COOKIE_SECURE"] = True
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))

    from workshop.guard import headers, hosts, http_limits, sessions, socket_throttles
    from workshop.live import sockets
    from workshop.store import db
    from workshop.web import (  # noqa: F401 - events registers the socket handlers
        agenda,
        answers,
        devices,
        events,
        facilitator,
        i18n,
        participant,
        profiles,
        pushed,
        screen,
    )

    sessions.init_app(app)
    db.init_app(app)
    i18n.init_app(app)
    agenda.init_app(app)
    headers.init_app(app)
    answers.init_app(app)
    sockets.init_app(app)
    pushed.init_app(app)
    app.register_blueprint(participant.bp)
    app.register_blueprint(facilitator.bp)
    app.register_blueprint(profiles.phone_bp)
    app.register_blueprint(screen.bp)
    app.register_blueprint(devices.bp)
    http_limits.init_app(app)  # after the blueprints: it wraps their views
    socket_throttles.init_app(app)
    hosts.init_app(app)  # last: it wraps every request, the Socket.IO endpoint's too
    return app

"""Flask-JWT-Extended with refresh rotation and its documented database blocklist (SQLite).

The blocklist is the documentation's `TokenBlocklist` table and `token_in_blocklist_loader`;
the refresh route adds the presented token's `jti` to it, then answers a new pair. The `jti`
is unique, so two requests with one refresh token cannot both commit.
"""

import datetime
import os
from pathlib import Path
from typing import Any

from flask import Flask, jsonify
from flask_jwt_extended import (
    JWTManager,
    create_access_token,
    create_refresh_token,
    get_jwt,
    get_jwt_identity,
    jwt_required,
)
from flask_sqlalchemy import SQLAlchemy

from bench.peers.apps import DATA_DIR_VARIABLE, SECRET_KEY_VARIABLE

app = Flask(__name__)
app.config["JWT_SECRET_KEY"] = os.environ[SECRET_KEY_VARIABLE]
app.config["JWT_TOKEN_LOCATION"] = ["headers", "json"]
database = Path(os.environ[DATA_DIR_VARIABLE]) / "blocklist.sqlite3"
app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{database}"
db = SQLAlchemy(app)
jwt = JWTManager(app)


class TokenBlocklist(db.Model):  # type: ignore[name-defined]
    id = db.Column(db.Integer, primary_key=True)
    jti = db.Column(db.String(36), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False)


@jwt.token_in_blocklist_loader
def check_if_token_revoked(jwt_header: dict[str, Any], jwt_payload: dict[str, Any]) -> bool:
    token = db.session.query(TokenBlocklist.id).filter_by(jti=jwt_payload["jti"]).scalar()
    return token is not None


@app.post("/refresh")
@jwt_required(refresh=True)
def refresh() -> Any:
    """Spend the presented refresh token, then answer a new access and refresh token."""
    identity = get_jwt_identity()
    now = datetime.datetime.now(datetime.UTC)
    db.session.add(TokenBlocklist(jti=get_jwt()["jti"], created_at=now))
    db.session.commit()
    return jsonify(
        access_token=create_access_token(identity=identity),
        refresh_token=create_refresh_token(identity=identity),
    )

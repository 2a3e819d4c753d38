"""``python -m app``: run the server with the same options as the production image."""

from pathlib import Path

import uvicorn

LOG_CONFIG = Path(__file__).with_name("logging.json")


def main() -> None:
    uvicorn.run(
        "app.main:app",
        host="0.0.0.0",
        port=8000,
        workers=1,
        timeout_graceful_shutdown=30,
        log_config=str(LOG_CONFIG),
        server_header=False,
    )


if __name__ == "__main__":
    main()

"""``python -m sandbox --port 8900``: run the sandbox alone and print what a demo needs."""
from __future__ import annotations

import argparse
import time

from sandbox import SandboxServer, seed


def main() -> None:
    parser = argparse.ArgumentParser(description="A local Webex look-alike.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8900)
    args = parser.parse_args()
    server = SandboxServer(host=args.host, port=args.port).start()
    state = server.state
    print(f"sandbox:      {server.url}   (state: {server.url}/_sandbox/state)")
    print(f"WEBEX_API_URL={server.api_url}")
    print(f"WEBEX_BOT_TOKEN={seed.BOT_TOKEN}")
    print(f"WEBEX_ORG_ID={seed.ORG_ID}")
    print(f"WEBEX_SERVICE_APP_CLIENT_ID={seed.SERVICE_APP_CLIENT_ID}")
    print(f"WEBEX_SERVICE_APP_CLIENT_SECRET={seed.SERVICE_APP_CLIENT_SECRET}")
    print(f"WEBEX_SERVICE_APP_REFRESH_TOKEN={seed.SERVICE_APP_REFRESH_TOKEN}")
    print(f"WEBEX_SERVICE_APP_TOKEN={seed.SERVICE_APP_TOKEN}")
    print(f"WEBEX_WEBHOOK_SECRET={seed.WEBHOOK_SECRET}   (a suggestion; the bot registers its own webhooks)")
    for email, token in seed.PERSON_TOKENS.items():
        print(f"person {email:20} token={token}  direct room={state.direct_room(email)}")
    print(f"group room '{seed.GROUP_ROOM_TITLE}': {state.group_room_id}")
    for loc in state.locations:
        print(f"location {loc.name:17} {loc.id}  numbers={len(loc.numbers)}{'' if loc.calling else '  (no calling)'}")
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()

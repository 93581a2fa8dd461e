"""The enclave lifecycle as a plain HTTP client sees it (scripts/bench-enclave runs this against its
own server, in the same run as the raw bwrap rows): POST /v1/sessions, exec `true`, DELETE with
the CDP, over one keep-alive connection with `requests`. Prints one cycle time per line, in
microseconds, after 3 warm-up cycles. Usage: http_client.py BASE_URL API_KEY N [floor]

With `paced`, each cycle starts 20 ms after the previous one ended (a session between others,
not back to back). With `floor`, the same three calls go to a path no route serves (each
answered 404 by the server's HTTP stack): what the client and HTTP alone cost, for comparison."""
import sys
import time

import requests


def main():
    base, key, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {key}"
    mode = sys.argv[4] if len(sys.argv) > 4 else ""
    if mode == "floor":
        return floor(http, base, n)
    for round in range(n + 3):
        if mode == "paced":
            time.sleep(0.02)
        started = time.perf_counter()
        created = http.post(f"{base}/v1/sessions", json={})
        created.raise_for_status()
        sid = created.json()["session_id"]
        ran = http.post(f"{base}/v1/sessions/{sid}/exec", json={"command": "true"})
        ran.raise_for_status()
        assert ran.json()["exit_code"] == 0, ran.text
        deleted = http.delete(f"{base}/v1/sessions/{sid}")
        deleted.raise_for_status()
        assert deleted.json()["cdp"]["final_hash"], deleted.text
        took = time.perf_counter() - started
        if round >= 3:
            print(int(took * 1e6))


def floor(http, base, n):
    for round in range(n + 3):
        started = time.perf_counter()
        for method in ("POST", "POST", "DELETE"):
            answered = http.request(method, f"{base}/v1/no-such-route", json={} if method == "POST" else None)
            assert answered.status_code == 404, answered.text
        took = time.perf_counter() - started
        if round >= 3:
            print(int(took * 1e6))


if __name__ == "__main__":
    main()

"""A local fake of Anthropic's Messages API, for tests and benchmarks.

It listens on 127.0.0.1, answers ``POST /v1/messages`` the way the API does
(a forced tool call holding the rewrites of every seed, with token usage
and a prompt cache), and can be told to fail: rate limits (429), overload
(529), malformed or truncated answers, and latency. The official
``anthropic`` client is pointed at it with ``base_url``; nothing leaves the
machine.
"""

import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["API_KEY", "FakeMessagesAPI"]

#: the API key tests give the client; it must never reach a file
API_KEY = "sk-ant-test-0123456789-secret"


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # a client that gave up (its timeout) closed the socket: not an error
        # of the fake; anything else is printed as usual
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class FakeMessagesAPI:
    """Fake Messages API server.

    Parameters
    ----------
    latency : float, default=0.0
        Seconds to wait before every answer.
    script : list of str, default=()
        What to do with the next requests, one entry each, then answer
        normally: ``"429"``, ``"529"``, ``"500"``, ``"401"``, ``"malformed"``
        (text that is not JSON), ``"truncated"`` (``stop_reason`` max_tokens
        and fewer examples than asked; an answer longer than the request's
        ``max_tokens`` is cut off so too), ``"duplicates"`` (copies of the seed),
        ``"drop"`` (the connection closed with no answer, as a server that
        goes down mid-request: the client sees a connection error).

    Attributes
    ----------
    url : str
        Base URL to give the client.
    requests : list of dict
        Every request received: ``{"body": ..., "headers": ...}``.
    max_in_flight : int
        Most requests being answered at the same time.
    prompt_cache : set
        System prompts marked ``cache_control`` seen so far.
    batches : dict
        Message batches created: id -> {"requests": [...], "polls": int}. A
        batch has ended after ``batch_polls`` retrievals.

    Examples
    --------
    >>> with FakeMessagesAPI() as api:
    ...     api.url.startswith("http://127.0.0.1:")
    True
    """

    def __init__(self, *, latency=0.0, script=(), batch_polls=1):
        self.latency = latency
        self.script = list(script)
        self.batch_polls = batch_polls
        self.batches = {}
        self.requests = []
        self.prompt_cache = set()
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._server.shutdown()
        self._server.server_close()

    @property
    def n_requests(self):
        return len(self.requests)

    def _next_action(self, body, headers):
        with self._lock:
            self.requests.append({"body": body, "headers": headers})
            return self.script.pop(0) if self.script else "ok"

    def _handler(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status, payload, headers=()):
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                headers = {k.lower(): v for k, v in self.headers.items()}
                action = api._next_action(body, headers)
                with api._lock:
                    api._in_flight += 1
                    api.max_in_flight = max(api.max_in_flight, api._in_flight)
                try:
                    if api.latency:
                        time.sleep(api.latency)
                    self._respond(body, action)
                finally:
                    with api._lock:
                        api._in_flight -= 1

            def do_GET(self):
                parts = self.path.strip("/").split("/")
                if parts[:3] != ["v1", "messages", "batches"] or len(parts) < 4:
                    return self._send(404, _error("not_found_error", self.path))
                batch = api.batches.get(parts[3])
                if batch is None:
                    return self._send(404, _error("not_found_error", parts[3]))
                if len(parts) == 5 and parts[4] == "results":
                    lines = [
                        json.dumps(
                            {
                                "custom_id": r["custom_id"],
                                "result": {
                                    "type": "succeeded",
                                    "message": _answer(r["params"], "ok", api),
                                },
                            }
                        )
                        for r in batch["requests"]
                    ]
                    data = ("\n".join(lines) + "\n").encode()
                    self.send_response(200)
                    self.send_header("content-type", "application/binary")
                    self.send_header("content-length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                    return None
                batch["polls"] += 1
                return self._send(200, _batch(parts[3], batch, api))

            def _respond(self, body, action):
                if self.path.rstrip("/") == "/v1/messages/batches":
                    batch_id = f"msgbatch_{len(api.batches):04d}"
                    api.batches[batch_id] = {"requests": body["requests"], "polls": 0}
                    return self._send(200, _batch(batch_id, api.batches[batch_id], api))
                if self.path.rstrip("/") != "/v1/messages":
                    return self._send(404, _error("not_found_error", self.path))
                if action == "drop":
                    self.close_connection = True
                    return None
                if action in ("429", "529", "500", "401"):
                    kind = {
                        "429": "rate_limit_error",
                        "529": "overloaded_error",
                        "500": "api_error",
                        "401": "authentication_error",
                    }[action]
                    return self._send(
                        int(action), _error(kind, kind), [("retry-after-ms", "20")]
                    )
                return self._send(200, _answer(body, action, api))

        return Handler


def _batch(batch_id, batch, api):
    ended = batch["polls"] >= api.batch_polls
    n = len(batch["requests"])
    return {
        "id": batch_id,
        "type": "message_batch",
        "processing_status": "ended" if ended else "in_progress",
        "request_counts": {
            "processing": 0 if ended else n,
            "succeeded": n if ended else 0,
            "errored": 0,
            "canceled": 0,
            "expired": 0,
        },
        "created_at": "2026-11-25T00:00:00Z",
        "expires_at": "2026-11-26T00:00:00Z",
        "ended_at": "2026-11-25T00:01:00Z" if ended else None,
        "archived_at": None,
        "cancel_initiated_at": None,
        "results_url": f"{api.url}/v1/messages/batches/{batch_id}/results"
        if ended
        else None,
    }


def _error(kind, message):
    return {"type": "error", "error": {"type": kind, "message": message}}


def _seeds(body):
    """The seeds of a request and the number of rewrites asked for each."""
    prompt = body["messages"][-1]["content"]
    if isinstance(prompt, list):
        prompt = " ".join(part.get("text", "") for part in prompt)
    return json.loads(prompt.split("<seeds>")[-1].split("</seeds>")[0])


def _usage(body, api, n_out):
    """Token counts as the API reports them, with its prompt cache: a system
    block marked ``cache_control`` is written to the cache the first time and
    read from it after."""
    system = body.get("system") or []
    cached = "".join(b["text"] for b in system if b.get("cache_control"))
    total = len(json.dumps(body)) // 4
    usage = {
        "input_tokens": total,
        "output_tokens": n_out,
        "cache_creation_input_tokens": 0,
        "cache_read_input_tokens": 0,
    }
    if cached and api is not None:
        prefix = len(json.dumps(body.get("tools"))) // 4 + len(cached) // 4
        with api._lock:
            seen = cached in api.prompt_cache
            api.prompt_cache.add(cached)
        usage["input_tokens"] = total - prefix
        key = "cache_read_input_tokens" if seen else "cache_creation_input_tokens"
        usage[key] = prefix
    return usage


_WORDS = (
    "please urgently again today still since yesterday kindly help quickly "
    "now really sadly honestly frankly weirdly suddenly also maybe apparently "
    "definitely somehow totally always never often sometimes usually oddly"
).split()


def _variant(seed, tag, i):
    """A rewording stand-in: the seed between words picked from the request's
    hash, different enough from the seed and from each other to pass dedupe."""
    digest = hashlib.sha256(f"{tag}-{i}".encode()).digest()
    words = [_WORDS[b % len(_WORDS)] for b in digest[:6]]
    return f"{' '.join(words[:3])}: {seed}, {' '.join(words[3:])} ({tag}-{i})"


def _rewrite(seed, tag, i):
    """A rewrite of a seed unit: a text, the fields of a record, or the
    non-system turns of a conversation."""
    if isinstance(seed, str):
        return _variant(seed, tag, i)
    if isinstance(seed, dict):
        return {k: _variant(v, f"{tag}{k}", i) for k, v in seed.items()}
    return [
        m if m["role"] == "system" else {**m, "content": _variant(m["content"], tag, i)}
        for m in seed
    ]


def _answer(body, action, api=None):
    seeds = _seeds(body)
    tag = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:8]
    rewrites = [
        {"id": s["id"], "rewrite": _rewrite(s["seed"], f"{tag}-{s['id']}", i)}
        for s in seeds
        for i in range(s["n"])
    ]
    stop = "tool_use"
    if action == "duplicates":
        rewrites = [
            {"id": s["id"], "rewrite": s["seed"]} for s in seeds for _ in range(s["n"])
        ]
    if action == "truncated":
        rewrites, stop = rewrites[: max(1, len(rewrites) // 2)], "max_tokens"
    limit = body.get("max_tokens")
    if limit and len(json.dumps(rewrites)) // 4 > limit:
        # as the API does: the answer stops at max_tokens (here, whole
        # rewrites only, so that the tool input stays valid JSON)
        while rewrites and len(json.dumps(rewrites)) // 4 > limit:
            rewrites = rewrites[:-1]
        stop = "max_tokens"
    if action == "malformed":
        content = [{"type": "text", "text": 'Sure! Here are some: ["unfinished'}]
        stop = "end_turn"
    else:
        tool = body.get("tool_choice", {}).get("name", "record_examples")
        content = [
            {
                "type": "tool_use",
                "id": f"toolu_{tag}",
                "name": tool,
                "input": {"rewrites": rewrites},
            }
        ]
    return {
        "id": f"msg_{tag}",
        "type": "message",
        "role": "assistant",
        "model": body.get("model", "fake"),
        "content": content,
        "stop_reason": stop,
        "stop_sequence": None,
        "usage": _usage(body, api, len(json.dumps(rewrites)) // 4),
    }

"""The ``litegate`` command line (also ``python -m litegate``).

    litegate chat MODEL [PROMPT]        talk to a model (streams; interactive without PROMPT)
    litegate models [PROVIDER]          models of the registry: context window, prices
    litegate cost MODEL --input N --output N
    litegate tokens MODEL [FILE|-]      count tokens of a file or of stdin
    litegate providers                  providers, the key variable each reads, whether it is set
    litegate check [MODEL ...]          health check (models given, or LITEGATE_MODELS)
    litegate run -- python prog.py      run a program with `import litellm` giving litegate
    litegate alias-path                 the directory that does the same through PYTHONPATH
    litegate demo | version

``--json`` prints one JSON document for scripts. Exit codes: 0 ok, 1 the work failed (an API
error, an unhealthy model, an unknown model), 2 bad usage, 3 a missing API key (the message names
the variable), 130 interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from typing import Any


def _title(text: str) -> None:
    print(f"\n== {text} ==")


def demo() -> int:
    """Show the main features against a local fake provider: no keys, no network."""
    import litegate
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer() as srv:
        base = srv.base_url
        common: dict[str, Any] = {"api_base": base, "api_key": "sk-demo-not-a-real-key"}
        messages: list[dict[str, Any]] = [{"role": "user", "content": "Say hello to litegate"}]
        print(f"fake OpenAI-dialect server listening at {srv.url}")

        _title("1. completion")
        resp = litegate.completion(model="openai/gpt-4o-mini", messages=messages, **common)
        print("content:      ", resp.choices[0].message.content)
        print("dict access:  ", resp["choices"][0]["message"]["role"])
        usage = resp.usage or litegate.Usage()
        print("usage:        ", usage.prompt_tokens, "+", usage.completion_tokens, "=", usage.total_tokens)
        print("provider:     ", resp._hidden_params["custom_llm_provider"])

        _title("2. streaming (with usage on the last chunk)")
        pieces = []
        stream = litegate.completion(
            model="openai/gpt-4o-mini", messages=messages, stream=True, stream_options={"include_usage": True}, **common
        )
        chunks = []
        for chunk in stream:
            chunks.append(chunk)
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                pieces.append(delta)
        print("pieces:       ", pieces)
        print(
            "finish_reason:", [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
        )
        rebuilt = litegate.stream_chunk_builder(chunks, messages=messages)
        if rebuilt is None:
            raise CliError("the demo stream sent no chunks")
        total = rebuilt.usage.total_tokens if rebuilt.usage else 0
        print("rebuilt:      ", rebuilt.choices[0].message.content, "| usage total", total)

        _title("3. tool call")
        tools = [
            {
                "type": "function",
                "function": {
                    "name": "get_weather",
                    "description": "Current weather for a city",
                    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
                },
            }
        ]
        resp = litegate.completion(
            model="openai/gpt-4o-mini",
            tools=tools,
            tool_choice="required",
            messages=[{"role": "user", "content": "What is the weather in Paris?"}],
            **common,
        )
        tool_calls = resp.choices[0].message.tool_calls or []
        print("finish_reason:", resp.choices[0].finish_reason)
        for call in tool_calls[:1]:
            function = call.function or litegate.Function()
            print("tool call:    ", function.name, function.arguments, f"(id {call.id})")

        _title("4. an error, caught as the right exception")
        srv.enqueue_error(
            status=400,
            code="context_length_exceeded",
            message="This model's maximum context length is 128000 tokens. However, your messages "
            "resulted in 130000 tokens.",
        )
        try:
            litegate.completion(model="openai/gpt-4o-mini", messages=messages, **common)
        except litegate.ContextWindowExceededError as exc:
            print("caught:       ", type(exc).__name__, "| status", exc.status_code, "| provider", exc.llm_provider)
            print("message:      ", str(exc)[:120])

        _title("5. a retry that succeeds")
        srv.reset()
        srv.enqueue_error(status=429, count=2, headers={"retry-after": "0"})
        resp = litegate.completion(model="openai/gpt-4o-mini", messages=messages, num_retries=3, **common)
        print("server hits:  ", srv.hits(), "(two 429s, then success)")
        print("content:      ", resp.choices[0].message.content)

        _title("6. async, 20 concurrent calls")

        async def many() -> list[litegate.ModelResponse]:
            return await asyncio.gather(
                *[
                    litegate.acompletion(
                        model="openai/gpt-4o-mini", messages=[{"role": "user", "content": f"call {i}"}], **common
                    )
                    for i in range(20)
                ]
            )

        results = asyncio.run(many())
        print("answers:      ", len(results), "| first:", results[0].choices[0].message.content)
        print("cost:         ", results[0]._hidden_params.get("response_cost"), "USD (from the model registry)")

    _native_providers(messages)
    print("\ndemo finished: every step ran against the local fake servers.")
    return 0


def _native_providers(messages: list[dict[str, Any]]) -> None:
    """One call to each native dialect's fake server (the same OpenAI-shaped call and response)."""
    import litegate
    from litegate import testing

    demos = [
        ("anthropic/claude-sonnet-4-5", "FakeAnthropicServer", "sk-ant-demo-not-a-real-key"),
        ("gemini/gemini-2.5-flash", "FakeGeminiServer", "AIza-demo-not-a-real-key"),
        ("cohere/command-r-plus-08-2024", "FakeCohereServer", "co-demo-not-a-real-key"),
        ("ollama_chat/llama3.2", "FakeOllamaServer", None),
    ]
    for model, server_name, key in demos:
        try:
            server_cls = getattr(testing, server_name)
        except (AttributeError, ImportError):
            continue  # that provider's fake server is not part of this build
        _title(f"native provider: {model}")
        with server_cls() as srv:
            resp = litegate.completion(model=model, messages=messages, api_base=srv.url, api_key=key)
            print("content:      ", resp.choices[0].message.content)
            print("provider:     ", resp._hidden_params["custom_llm_provider"], "| wire path:", srv.last_request.path)
            stream = litegate.completion(model=model, messages=messages, api_base=srv.url, api_key=key, stream=True)
            print("stream:       ", "".join(c.choices[0].delta.content or "" for c in stream))


EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_NO_KEY, EXIT_INTERRUPTED = 0, 1, 2, 3, 130


class CliError(Exception):
    def __init__(self, message: str, code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.code = code


_MAX_INPUT = 64 * 1024 * 1024  # characters read from a file or stdin
_MAX_TURNS = 200  # messages an interactive chat keeps (the oldest go first; the system message stays)


def _read_text(stream: Any, name: str) -> str:
    text: str = stream.read(_MAX_INPUT + 1)
    if len(text) > _MAX_INPUT:
        raise CliError(f"{name} is larger than {_MAX_INPUT // (1024 * 1024)} MiB", EXIT_USAGE)
    return text


def _emit(data: Any) -> None:
    print(json.dumps(data, indent=2, default=str))


def _per_million(value: Any) -> Any:
    return None if value is None else round(float(value) * 1_000_000, 6)


def _missing_key(model: str, api_key: str | None, api_base: str | None) -> None:
    """Refuse before any request when a variable the model's provider needs is not set (named)."""
    import litegate

    try:
        litegate.get_llm_provider(model)
    except Exception as exc:
        raise CliError(str(exc), EXIT_USAGE) from None
    missing = litegate.validate_environment(model, api_key=api_key, api_base=api_base)["missing_keys"]
    if missing:
        raise CliError(
            f"{model} needs {', '.join(missing)}: set {'them' if len(missing) > 1 else 'it'} in the "
            f"environment (or pass --api-key / --api-base)",
            EXIT_NO_KEY,
        )


# ------------------------------------------------------------------------------- chat
def cmd_chat(args: argparse.Namespace) -> int:
    import litegate

    _missing_key(args.model, args.api_key, args.api_base)
    history: list[dict[str, Any]] = [{"role": "system", "content": args.system}] if args.system else []
    common: dict[str, Any] = {
        "api_base": args.api_base,
        "api_key": args.api_key,
        "temperature": args.temperature,
        "max_tokens": args.max_tokens,
    }
    common = {k: v for k, v in common.items() if v is not None}
    prompt = " ".join(args.prompt) if args.prompt else None
    if prompt == "-":
        prompt = _read_text(sys.stdin, "stdin")
    if prompt is not None:
        return _chat_turn(litegate, args, history, prompt, common)
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"chatting with {args.model} (empty line or Ctrl-D to quit)", file=sys.stderr)
    while True:
        try:
            line = input("you> " if interactive else "")
        except EOFError:
            return EXIT_OK
        if not line.strip():
            return EXIT_OK
        code = _chat_turn(litegate, args, history, line, common)
        if code != EXIT_OK:
            return code


def _chat_turn(
    litegate: Any, args: argparse.Namespace, history: list[dict[str, Any]], text: str, common: dict[str, Any]
) -> int:
    history.append({"role": "user", "content": text})
    if len(history) > _MAX_TURNS:  # a long session keeps its latest turns (and its system message)
        keep = 1 if history[0]["role"] == "system" else 0
        del history[keep : len(history) - _MAX_TURNS + keep]
    if args.json or args.no_stream:
        resp = litegate.completion(model=args.model, messages=history, **common)
        content = resp.choices[0].message.content or ""
        history.append({"role": "assistant", "content": content})
        if args.json:
            _emit(
                {
                    "model": args.model,
                    "content": content,
                    "finish_reason": resp.choices[0].finish_reason,
                    "usage": resp.usage.model_dump() if resp.usage else None,
                    "cost_usd": resp._hidden_params.get("response_cost"),
                }
            )
        else:
            print(content)
        return EXIT_OK
    stream = litegate.completion(model=args.model, messages=history, stream=True, **common)
    pieces = []
    try:
        for chunk in stream:
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                pieces.append(delta)
                sys.stdout.write(delta)
                sys.stdout.flush()
    finally:
        stream.close()
    sys.stdout.write("\n")
    history.append({"role": "assistant", "content": "".join(pieces)})
    return EXIT_OK


# ------------------------------------------------------------------------------- registry
def cmd_models(args: argparse.Namespace) -> int:
    import litegate

    rows: list[dict[str, Any]] = []
    for name, entry in sorted(litegate.model_cost.items()):
        if not isinstance(entry, dict) or name == "sample_spec":
            continue
        provider = entry.get("litellm_provider")
        if args.provider and provider != args.provider:
            continue
        if args.search and args.search.lower() not in name.lower():
            continue
        rows.append(
            {
                "model": name,
                "provider": provider,
                "mode": entry.get("mode"),
                "context_window": entry.get("max_input_tokens") or entry.get("max_tokens"),
                "input_usd_per_1m": _per_million(entry.get("input_cost_per_token")),
                "output_usd_per_1m": _per_million(entry.get("output_cost_per_token")),
            }
        )
    if args.provider and not rows:
        raise CliError(f"no models for provider {args.provider!r} (see `litegate providers`)")
    if args.json:
        _emit(rows)
        return EXIT_OK
    print(f"{'model':<48} {'provider':<16} {'context':>9} {'$/1M in':>10} {'$/1M out':>10}")
    for r in rows:
        print(
            f"{r['model'][:48]:<48} {str(r['provider'])[:16]:<16} {_fmt(r['context_window']):>9} "
            f"{_fmt(r['input_usd_per_1m']):>10} {_fmt(r['output_usd_per_1m']):>10}"
        )
    print(f"{len(rows)} models", file=sys.stderr)
    return EXIT_OK


def _fmt(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def cmd_cost(args: argparse.Namespace) -> int:
    import litegate

    if args.input < 0 or args.output < 0:
        raise CliError("--input and --output must be non-negative token counts", EXIT_USAGE)
    prompt_cost, completion_cost = litegate.cost_per_token(
        model=args.model, prompt_tokens=args.input, completion_tokens=args.output
    )
    data = {
        "model": args.model,
        "input_tokens": args.input,
        "output_tokens": args.output,
        "input_usd": prompt_cost,
        "output_usd": completion_cost,
        "total_usd": prompt_cost + completion_cost,
    }
    if args.json:
        _emit(data)
    else:
        print(
            f"{args.model}: {args.input} input + {args.output} output tokens = "
            f"${data['total_usd']:.6f} (input ${prompt_cost:.6f}, output ${completion_cost:.6f})"
        )
    return EXIT_OK


def cmd_tokens(args: argparse.Namespace) -> int:
    import litegate

    if args.file in (None, "-"):
        text = _read_text(sys.stdin, "stdin")
    else:
        try:
            with open(args.file, encoding="utf-8", errors="replace") as f:
                text = _read_text(f, args.file)
        except OSError as exc:
            raise CliError(f"cannot read {args.file}: {exc.strerror}", EXIT_USAGE) from None
    count = litegate.token_counter(model=args.model, text=text)
    if args.json:
        _emit({"model": args.model, "tokens": count, "characters": len(text)})
    else:
        print(count)
    return EXIT_OK


def cmd_providers(args: argparse.Namespace) -> int:
    import litegate

    from .core.resolve import credential_spec

    rows: list[dict[str, Any]] = []
    for name in litegate.provider_list:
        spec = credential_spec(name)
        key_var = spec.key_env[0] if spec.key_env else None
        rows.append(
            {
                "provider": name,
                "key_variable": key_var,
                "key_set": any(bool(os.environ.get(n)) for n in spec.key_env) if spec.key_env else None,
                "key_required": spec.key_required,
                "endpoints": sorted(spec.endpoints),
            }
        )
    if args.json:
        _emit(rows)
        return EXIT_OK
    print(f"{'provider':<22} {'key variable':<28} {'set':<5} endpoints")
    for r in rows:
        state = "-" if r["key_set"] is None else ("yes" if r["key_set"] else "no")
        if not r["key_required"] and r["key_set"] is False:
            state = "opt"
        print(f"{r['provider']:<22} {(r['key_variable'] or '-'):<28} {state:<5} {','.join(r['endpoints'])}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    import litegate

    models = list(args.models) or [m.strip() for m in os.environ.get("LITEGATE_MODELS", "").split(",") if m.strip()]
    if not models:
        raise CliError("name the models to check, or list them in LITEGATE_MODELS (comma-separated)", EXIT_USAGE)
    results = []
    show_progress = len(models) > 1 and sys.stderr.isatty() and not args.json
    for i, model in enumerate(models, 1):
        if show_progress:
            print(f"[{i}/{len(models)}] {model} ...", file=sys.stderr)
        kw = {k: v for k, v in (("api_base", args.api_base), ("api_key", args.api_key)) if v is not None}
        res = litegate.health_check(model, mode=args.mode, timeout=args.timeout, num_retries=0, **kw)
        results.append({"model": model, **dict(res)})
    if args.json:
        _emit(results)
    else:
        for r in results:
            state = "healthy" if r.get("healthy") else "UNHEALTHY"
            detail = f"{r.get('response_time_ms', 0):.0f} ms" if r.get("healthy") else r.get("error_message", "")
            print(f"{r['model']}: {state} ({detail})")
    return EXIT_OK if all(r.get("healthy") for r in results) else EXIT_FAILED


# ------------------------------------------------------------------------------- alias
def cmd_run(args: argparse.Namespace) -> int:
    from .alias import alias_path

    command = list(args.argv)
    if command and command[0] == "--":
        command = command[1:]
    if not command:
        raise CliError("usage: litegate run -- COMMAND [ARGS...] (e.g. litegate run -- python prog.py)", EXIT_USAGE)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (alias_path(), env.get("PYTHONPATH")) if p)
    import subprocess

    try:
        return subprocess.call(command, env=env)  # noqa: S603 - the command the user asked to run
    except FileNotFoundError:
        raise CliError(f"command not found: {command[0]}", EXIT_USAGE) from None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="litegate", description="litegate command line")
    sub = parser.add_subparsers(dest="command")

    def add(name: str, help: str, json_flag: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        if json_flag:
            p.add_argument("--json", action="store_true", help="print one JSON document")
        return p

    p = add("chat", "talk to a model; keys come from the environment")
    p.add_argument("model")
    p.add_argument("prompt", nargs="*", help="one prompt ('-' reads stdin); none: interactive")
    p.add_argument("--system", help="a system message")
    p.add_argument("--api-base")
    p.add_argument("--api-key", help="default: the provider's environment variable")
    p.add_argument("--temperature", type=float)
    p.add_argument("--max-tokens", type=int)
    p.add_argument("--no-stream", action="store_true", help="print the whole answer at once")
    p = add("models", "models of the registry with context window and prices (USD per 1M tokens)")
    p.add_argument("provider", nargs="?")
    p.add_argument("--search", help="only models whose name contains this")
    p = add("cost", "cost of a number of input and output tokens")
    p.add_argument("model")
    p.add_argument("--input", type=int, required=True, help="input (prompt) tokens")
    p.add_argument("--output", type=int, required=True, help="output (completion) tokens")
    p = add("tokens", "count the tokens of a file or of stdin")
    p.add_argument("model")
    p.add_argument("file", nargs="?", help="a file, or - / nothing for stdin")
    add("providers", "providers, the key variable each reads, whether it is set")
    p = add("check", "health check of models (given, or LITEGATE_MODELS)")
    p.add_argument("models", nargs="*")
    p.add_argument("--mode", default="chat", choices=["chat", "completion", "embedding", "rerank"])
    p.add_argument("--api-base")
    p.add_argument("--api-key")
    p.add_argument("--timeout", type=float, default=30.0)
    p = add(
        "run",
        "run a command with `import litellm` giving litegate (Python programs and their children)",
        json_flag=False,
    )
    p.add_argument("argv", nargs=argparse.REMAINDER, metavar="COMMAND")
    add("alias-path", "print the directory that turns alias mode on when first on PYTHONPATH", json_flag=False)
    add("demo", "run the offline demo against local fake providers", json_flag=False)
    add("version", "print the version", json_flag=False)
    args = parser.parse_args(argv)
    handlers = {
        "chat": cmd_chat,
        "models": cmd_models,
        "cost": cmd_cost,
        "tokens": cmd_tokens,
        "providers": cmd_providers,
        "check": cmd_check,
        "run": cmd_run,
    }
    try:
        if args.command in handlers:
            return handlers[args.command](args)
        if args.command == "alias-path":
            from .alias import alias_path

            print(alias_path())
            return EXIT_OK
        if args.command == "demo":
            return demo()
        if args.command == "version":
            import litegate

            print(litegate.__version__)
            return EXIT_OK
    except CliError as exc:
        print(f"litegate: error: {exc}", file=sys.stderr)
        return exc.code
    except KeyboardInterrupt:
        print("\ninterrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a litegate error: one line, no traceback
        import litegate

        if isinstance(exc, litegate.InputValidationError):
            print(f"litegate: error: {exc}", file=sys.stderr)
            return EXIT_USAGE
        if isinstance(exc, (litegate.LiteLLMException, litegate.NotFoundException)):
            print(f"litegate: error: {type(exc).__name__}: {exc}", file=sys.stderr)
            if isinstance(exc, litegate.AuthenticationError):
                return EXIT_NO_KEY
            return EXIT_FAILED
        raise
    parser.print_help()
    return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

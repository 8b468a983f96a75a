"""``litegate`` command line: ``litegate demo`` (also ``python -m litegate demo``)."""

from __future__ import annotations

import argparse
import asyncio
import sys


def _title(text: str) -> None:
    print(f"\n== {text} ==")


def demo() -> int:
    """Show the main features against a local fake provider: no keys, no network."""
    import litegate
    from litegate.testing import FakeOpenAIServer

    with FakeOpenAIServer() as srv:
        base = srv.base_url
        common = {"api_base": base, "api_key": "sk-demo-not-a-real-key"}
        messages = [{"role": "user", "content": "Say hello to litegate"}]
        print(f"fake OpenAI-dialect server listening at {srv.url}")

        _title("1. completion")
        resp = litegate.completion(model="openai/gpt-4o-mini", messages=messages, **common)
        print("content:      ", resp.choices[0].message.content)
        print("dict access:  ", resp["choices"][0]["message"]["role"])
        print("usage:        ", resp.usage.prompt_tokens, "+", resp.usage.completion_tokens, "=",
              resp.usage.total_tokens)
        print("provider:     ", resp._hidden_params["custom_llm_provider"])

        _title("2. streaming (with usage on the last chunk)")
        pieces = []
        stream = litegate.completion(model="openai/gpt-4o-mini", messages=messages, stream=True,
                                     stream_options={"include_usage": True}, **common)
        chunks = []
        for chunk in stream:
            chunks.append(chunk)
            delta = chunk.choices[0].delta.content if chunk.choices else None
            if delta:
                pieces.append(delta)
        print("pieces:       ", pieces)
        print("finish_reason:", [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason])
        rebuilt = litegate.stream_chunk_builder(chunks, messages=messages)
        print("rebuilt:      ", rebuilt.choices[0].message.content, "| usage total", rebuilt.usage.total_tokens)

        _title("3. tool call")
        tools = [{"type": "function", "function": {
            "name": "get_weather", "description": "Current weather for a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
        resp = litegate.completion(model="openai/gpt-4o-mini", tools=tools, tool_choice="required",
                                   messages=[{"role": "user", "content": "What is the weather in Paris?"}], **common)
        call = resp.choices[0].message.tool_calls[0]
        print("finish_reason:", resp.choices[0].finish_reason)
        print("tool call:    ", call.function.name, call.function.arguments, f"(id {call.id})")

        _title("4. an error, caught as the right exception")
        srv.enqueue_error(status=400, code="context_length_exceeded",
                          message="This model's maximum context length is 128000 tokens. However, your messages "
                                  "resulted in 130000 tokens.")
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

        async def many() -> list:
            return await asyncio.gather(*[
                litegate.acompletion(model="openai/gpt-4o-mini",
                                     messages=[{"role": "user", "content": f"call {i}"}], **common)
                for i in range(20)
            ])

        results = asyncio.run(many())
        print("answers:      ", len(results), "| first:", results[0].choices[0].message.content)
        print("cost:         ", results[0]._hidden_params.get("response_cost"), "USD (from the model registry)")

    _native_providers(messages)
    print("\ndemo finished: every step ran against the local fake servers.")
    return 0


def _native_providers(messages: list) -> None:
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="litegate", description="litegate command line")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("demo", help="run the offline demo against a local fake provider")
    sub.add_parser("version", help="print the version")
    args = parser.parse_args(argv)
    if args.command == "demo":
        return demo()
    if args.command == "version":
        import litegate

        print(litegate.__version__)
        return 0
    parser.print_help()
    return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

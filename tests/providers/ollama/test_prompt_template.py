"""register_prompt_template shapes the prompt that ollama/ (/api/generate) sends."""

from __future__ import annotations

import litegate
from litegate.testing import FakeOllamaServer


def test_registered_template_formats_the_generate_prompt():
    litegate.register_prompt_template(
        model="ollama/my-llama",
        roles={
            "system": {"pre_message": "<<SYS>>", "post_message": "<</SYS>>"},
            "user": {"pre_message": "[INST] ", "post_message": " [/INST]"},
            "assistant": {"pre_message": "", "post_message": "\n"},
        },
        initial_prompt_value="<s>",
        final_prompt_value="",
    )
    try:
        with FakeOllamaServer() as srv:
            litegate.completion(
                model="ollama/my-llama",
                api_base=srv.url,
                messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
            )
            body = srv.last_request.json
        assert body["prompt"] == "<s><<SYS>>Be brief.<</SYS>>[INST] Hi [/INST]"
        assert body["raw"] is True
        assert "system" not in body
    finally:
        litegate.custom_prompt_dict.clear()


def test_without_a_template_the_documented_rule_applies():
    with FakeOllamaServer() as srv:
        litegate.completion(
            model="ollama/other-model",
            api_base=srv.url,
            messages=[{"role": "system", "content": "Be brief."}, {"role": "user", "content": "Hi"}],
        )
        body = srv.last_request.json
    assert body["prompt"] == "Hi" and body["system"] == "Be brief." and "raw" not in body

#!/usr/bin/env python3
"""Write src/litegate/data/models.json from litellm's public model price list.

    python tools/build_registry.py PATH/TO/model_prices_and_context_window.json \
        [--pin PATH/TO/models.csv] [--out FILE]

The input is litellm's ``model_prices_and_context_window.json`` (MIT-licensed public data). This
script selects the current and recent models of the providers litegate supports (plus every model
named in the optional ``--pin`` file: a CSV with a ``model`` column, or a JSON list), converts each
entry to litegate's compact format (docs/MODELS.md) and checks that every converted fact expands
back to exactly the value in the input. It is a maintenance tool: nothing imports it at run time.
"""

from __future__ import annotations

import argparse
import collections
import json
import re
import sys
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from litegate.cost.registry import (  # noqa: E402 - after the path tweak above
    DATA_FORMAT,
    PRICE_KEYS,
    compact_entry,
    expand_entry,
)

# ---------------------------------------------------------------------------------------------
# Selection rules
# ---------------------------------------------------------------------------------------------

# litellm_provider -> the provider group it is filed under in our data file, in output order.
# Providers whose own models are all kept (first parties and single-vendor APIs):
FIRST_PARTY: dict[str, str] = {
    "openai": "openai",
    "text-completion-openai": "openai",
    "azure": "azure",
    "azure_text": "azure",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "vertex_ai": "vertex_ai",  # and every vertex_ai-* partner family, see group_of()
    "bedrock_converse": "bedrock",
    "bedrock": "bedrock",
    "cohere_chat": "cohere",
    "cohere": "cohere",
    "mistral": "mistral",
    "codestral": "codestral",
    "text-completion-codestral": "codestral",
    "xai": "xai",
    "deepseek": "deepseek",
    "groq": "groq",
    "cerebras": "cerebras",
    "perplexity": "perplexity",
    "voyage": "voyage",
    "ollama": "ollama",
    "ai21": "ai21",
    "nlp_cloud": "nlp_cloud",
    "sambanova": "sambanova",
    "moonshot": "moonshot",
    "dashscope": "dashscope",
    "volcengine": "volcengine",
    "nvidia_nim": "nvidia_nim",
    "meta_llama": "meta_llama",
    "xiaomi_mimo": "xiaomi_mimo",
    "featherless_ai": "featherless_ai",
    "sagemaker": "sagemaker",
    "huggingface": "huggingface",
    "aleph_alpha": "aleph_alpha",
    "maritalk": "maritalk",
    "jina_ai": "jina_ai",
    # single-vendor services and first-party model APIs added with the providers that work now
    "azure_ai": "azure_ai",
    "databricks": "databricks",
    "cloudflare": "cloudflare",
    "watsonx": "watsonx",
    "zai": "zai",
    "minimax": "minimax",
    "morph": "morph",
    "meta": "meta",
    "inception": "inception",
    "text-completion-inception": "inception",
    "sarvam": "sarvam",
    "publicai": "publicai",
    "scx-ai": "scx-ai",
    "streamlake": "streamlake",
    "assemblyai": "assemblyai",
    "cognition": "cognition",
    "abliteration": "abliteration",  # its own models
    "aiml": "aiml",  # priced for image generation only: every entry is kept
}
# Hosts of many open-weight models: only the current open-weight families below are kept, for
# chat/completion, plus their embedding and rerank models.
AGGREGATORS: dict[str, str] = {
    "together_ai": "together_ai",
    "fireworks_ai": "fireworks_ai",
    "deepinfra": "deepinfra",
    "replicate": "replicate",
    "baseten": "baseten",
    "novita": "novita",
    "nebius": "nebius",
    "hyperbolic": "hyperbolic",
    "lambda_ai": "lambda_ai",
    "nscale": "nscale",
    "scaleway": "scaleway",
    "friendliai": "friendliai",
    "crusoe": "crusoe",
    "gmi": "gmi",
    "aihubmix": "aihubmix",
    "openrouter": "openrouter",
}
# Every other provider a call can use hosts other vendors' models: filed as an aggregator under its
# own name (so each working provider gets its entries, with the aggregator selection and cap).
from litegate.providers.spec import provider_list as _USABLE  # noqa: E402

for _name in _USABLE:
    if _name not in FIRST_PARTY and _name not in AGGREGATORS:
        AGGREGATORS[_name] = _name
del _name

# In priority order: when a host lists more than AGGREGATOR_CAP of them, the earlier families win.
OPEN_FAMILIES = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"gpt-oss-(20|120)b",
        r"deepseek-(v3|r1|v4)",
        r"qwen3",
        r"kimi-k[23]",
        r"glm-?(4[.p][6-7]|5)",
        r"llama-?(3[.p-]?3-70b|v3p3-70b|-?4)",
        r"minimax-m",
        r"llama-?(3[.p-]?1|v3p1)-(8|70|405)b",
        r"gemma-?[34]",
        r"mistral-(small|nemo)",
    )
]
NOT_A_CHAT_MODEL = re.compile(r"distill|guard|prover|ocr|safeguard|content-safety", re.IGNORECASE)
AGGREGATOR_CAP = 20  # chat models per host

MODES = {
    "chat",
    "completion",
    "embedding",
    "image_generation",
    "audio_transcription",
    "audio_speech",
    "rerank",
    "moderation",
    "responses",
}
AGGREGATOR_MODES = {"chat", "completion", "embedding", "rerank"}

# Deployment variants that repeat a base model under a regional or contractual name. Bedrock's
# cross-region inference profiles ("us.", "eu.", "apac.", "global." ...) stay: newer models are only
# callable through them, and each geography has its own price.
REGIONAL = re.compile(
    r"^(bedrock/[a-z]{2}(-gov)?-[a-z]+-\d/|bedrock/(claude_platform|invoke|converse)/|bedrock/\*/|"
    r"azure/(eu|us|global|global-standard|us-gov|apac|data-zone)/)"
)
# Models retired before this date are left out; later retirements stay (costs of recent usage).
RETIRED_BEFORE = "2026-06-01"
# Pre-release aliases of models that also have a released name.
PRERELEASE = re.compile(r"experimental|-beta\b|-beta-", re.IGNORECASE)
# Bedrock's first-generation models (invoke API only, long superseded).
BEDROCK_LEGACY = re.compile(
    r"claude-(v1|v2|instant)|llama2|ai21\.j2|titan-text|command-(light-)?text|max-x-max/|^\d+-x-\d+/"
)
# Size/quality-priced image entries ("hd/1024-x-1792/dall-e-3") are kept for OpenAI and Azure
# only, where the cost functions need them for per-image prices.
IMAGE_VARIANT = re.compile(r"(^|/)((low|medium|high|hd|standard)/)?\d+-x-\d+/")
# Bedrock's Stability SDXL is priced per image by size tier and step bucket, one entry each
# ("1024-x-1024/50-steps/stability.stable-diffusion-xl-v1"): kept, the image cost reads them.
BEDROCK_STEP_PRICED = re.compile(r"^(\d+-x-\d+|max-x-max)/(50|max)-steps/stability\.stable-diffusion-xl-v\d$")
# Pricing rules, not models (litellm prices unknown Together models by parameter count with these).
NOT_A_MODEL = re.compile(r"^together-ai-|^openai/container$|^azure/container$|^sample_spec$")
# Perplexity's own models; the rest of its catalogue resells other vendors' models.
PERPLEXITY_OWN = re.compile(r"^perplexity/(sonar|pplx-embed|r1-)")


def group_of(litellm_provider: str) -> tuple[str | None, bool]:
    """(our provider group, is_aggregator) for a litellm_provider value, or (None, False)."""
    if litellm_provider.startswith("vertex_ai"):
        return "vertex_ai", False
    if litellm_provider.startswith("fireworks_ai"):
        return "fireworks_ai", True
    if litellm_provider in FIRST_PARTY:
        return FIRST_PARTY[litellm_provider], False
    if litellm_provider in AGGREGATORS:
        return AGGREGATORS[litellm_provider], True
    return None, False


def has_facts(entry: dict) -> bool:
    return any(k in entry for k in ("max_input_tokens", "max_output_tokens", "max_tokens")) or any(
        ("cost" in k) for k in entry
    )


def keep(name: str, entry: dict, pinned: frozenset[str] = frozenset()) -> tuple[str | None, str]:
    """(group, "") when the entry is selected, else (None, reason)."""
    if not isinstance(entry, dict) or NOT_A_MODEL.search(name):
        return None, "not a model"
    lp = entry.get("litellm_provider") or ""
    group, aggregator = group_of(lp)
    if group is None:
        return None, "provider not supported"
    mode = entry.get("mode")
    if mode not in MODES:
        return None, f"mode {mode}"
    if name in pinned:
        return group, ""
    if REGIONAL.search(name):
        return None, "regional variant"
    if group == "bedrock" and BEDROCK_STEP_PRICED.match(name) and has_facts(entry):
        return group, ""
    if IMAGE_VARIANT.search(name) and (group not in ("openai", "azure") or re.search(r"-\d{4}-\d{2}-\d{2}$", name)):
        return None, "image size variant"
    if (entry.get("deprecation_date") or "9999") < RETIRED_BEFORE:
        return None, "retired"
    if PRERELEASE.search(name):
        return None, "pre-release alias"
    if group == "bedrock" and BEDROCK_LEGACY.search(name):
        return None, "first-generation Bedrock model"
    if not has_facts(entry):
        return None, "no facts"
    if group == "perplexity" and not PERPLEXITY_OWN.search(name):
        return None, "resold model"
    if aggregator:
        if mode not in AGGREGATOR_MODES:
            return None, "aggregator non-text model"
        if entry.get("deprecation_date"):
            return None, "aggregator: deprecated"
        if mode in ("chat", "completion"):
            bare = name.split("/", 1)[1] if "/" in name else name
            if family_rank(bare) is None or NOT_A_CHAT_MODEL.search(bare):
                return None, "aggregator: not a current open-weight family"
    return group, ""


def family_rank(bare: str) -> int | None:
    for rank, family in enumerate(OPEN_FAMILIES):
        if family.search(bare):
            return rank
    return None


def cap_aggregator(
    models: dict[str, dict], reasons: collections.Counter, pinned: frozenset[str] = frozenset()
) -> dict[str, dict]:
    """At most AGGREGATOR_CAP chat models per host (pinned ones aside), preferring the earlier families."""
    chat = [n for n, e in models.items() if e.get("mode") in ("chat", "completion") and n not in pinned]
    if len(chat) <= AGGREGATOR_CAP:
        return models
    ranked = sorted(chat, key=lambda n: (family_rank(n.split("/", 1)[-1]) or 0, chat.index(n)))
    dropped = set(ranked[AGGREGATOR_CAP:])
    reasons["aggregator: over the per-host cap"] += len(dropped)
    return {n: e for n, e in models.items() if n not in dropped}


# ---------------------------------------------------------------------------------------------
# Conversion and output
# ---------------------------------------------------------------------------------------------

PER_MILLION = {short for short, (_, per_million) in PRICE_KEYS.items() if per_million}


def _decimal(value: float | int, per_million: bool) -> Decimal:
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return (d.scaleb(6) if per_million else d).normalize()


def _price_base(short: str) -> str:
    return re.split(r"[>@]", short, maxsplit=1)[0]


BASE_ORDER = {name: i for i, name in enumerate(PRICE_KEYS)}
VARIANT_ORDER = {"": 0, "batches": 1, "priority": 2, "flex": 3}


def _price_order(short: str) -> tuple:
    """in, out, cache_read, ... each followed by its context tiers, then its service tiers."""
    m = re.match(r"^(.+?)(?:>(\d+)k)?(?:@(.+))?$", short)
    base, tier, variant = m.group(1), int(m.group(2) or 0), m.group(3) or ""
    return (BASE_ORDER[base], VARIANT_ORDER.get(variant, 9), variant, tier)


def _dump(value) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text[:-2] if text.endswith(".0") else text
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, (int, str)):
        return json.dumps(value)
    if isinstance(value, float):
        return _dump(_decimal(value, False))
    if isinstance(value, list):
        return "[" + ",".join(_dump(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k)}:{_dump(v)}" for k, v in value.items()) + "}"
    raise TypeError(type(value))


FIELD_ORDER = (
    "mode",
    "lp",
    "max_in",
    "max_out",
    "max_tokens",
    "price",
    "search_price",
    "supports",
    "unsupported",
    "cache_min",
    "vector_size",
    "deprecated",
)


def convert(name: str, entry: dict, default_lp: str) -> tuple[dict, list[str]]:
    short, dropped = compact_entry(entry)
    if short.get("lp") == default_lp:
        del short["lp"]
    if short.get("mode") == "chat":
        del short["mode"]
    if "price" in short:
        short["price"] = {
            k: _decimal(short["price"][k], _price_base(k) in PER_MILLION)
            for k in sorted(short["price"], key=_price_order)
        }
    ordered = {k: short[k] for k in FIELD_ORDER if k in short}
    assert set(ordered) == set(short), (name, set(short) - set(ordered))
    return ordered, dropped


def verify(name: str, entry: dict, short_text: str, default_lp: str) -> None:
    """The written entry must expand back to exactly the input's facts."""
    expanded = expand_entry(json.loads(short_text, parse_float=str), default_lp, name)
    for key, value in expanded.items():
        if key == "max_tokens" and "max_tokens" not in entry:
            continue  # derived
        if key == "mode" and "mode" not in entry:
            continue
        original = entry.get(key)
        if isinstance(value, float):
            assert isinstance(original, (int, float)) and float(original) == value, (name, key, original, value)
        else:
            assert original == value, (name, key, original, value)


def build(
    reference: dict, pinned: frozenset[str] = frozenset()
) -> tuple[str, collections.Counter, collections.Counter, collections.Counter]:
    groups: dict[str, dict[str, dict]] = {}
    reasons: collections.Counter = collections.Counter()
    dropped_keys: collections.Counter = collections.Counter()
    for name, entry in reference.items():
        group, reason = keep(name, entry, pinned)
        if group is None:
            reasons[reason] += 1
            continue
        groups.setdefault(group, {})[name] = entry
    for group in AGGREGATORS.values():
        if group in groups:
            groups[group] = cap_aggregator(groups[group], reasons, pinned)
    order = list(dict.fromkeys(list(FIRST_PARTY.values()) + ["vertex_ai"] + list(AGGREGATORS.values())))
    lines = [
        "{",
        f'"format":{json.dumps(DATA_FORMAT)},',
        '"version":1,',
        '"source":"Selected from litellm\'s public model price list (model_prices_and_context_window.json, MIT) '
        'by tools/build_registry.py. Token and character prices are USD per million; see docs/MODELS.md.",',
        '"providers":{',
    ]
    counts: collections.Counter = collections.Counter()
    blocks = []
    for group in order:
        models = groups.get(group)
        if not models:
            continue
        lps = collections.Counter(e.get("litellm_provider") for e in models.values())
        default_lp = group if group in lps else lps.most_common(1)[0][0]
        rows = []
        for name, entry in models.items():
            short, dropped = convert(name, entry, default_lp)
            dropped_keys.update(dropped)
            text = _dump(short)
            verify(name, entry, text, default_lp)
            rows.append(f"{json.dumps(name)}:{text}")
            counts[group] += 1
        blocks.append(
            f'{json.dumps(group)}:{{"litellm_provider":{json.dumps(default_lp)},"models":{{\n'
            + ",\n".join(rows)
            + "\n}}"
        )
    lines.append(",\n".join(blocks))
    lines.append("}}")
    return "\n".join(lines) + "\n", counts, reasons, dropped_keys


def read_pins(path: Path) -> frozenset[str]:
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".json":
        return frozenset(json.loads(text))
    import csv

    return frozenset(row["model"] for row in csv.DictReader(text.splitlines()) if row.get("model"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("reference", type=Path, help="litellm's model_prices_and_context_window.json")
    parser.add_argument("--pin", type=Path, help="models always kept: a CSV with a 'model' column or a JSON list")
    parser.add_argument("--out", type=Path, default=ROOT / "src" / "litegate" / "data" / "models.json")
    parser.add_argument("--verbose", action="store_true", help="also list skip reasons and dropped keys")
    args = parser.parse_args(argv)
    reference = json.loads(args.reference.read_text(encoding="utf-8"))
    pinned = read_pins(args.pin) if args.pin else frozenset()
    missing = sorted(p for p in pinned if p not in reference)
    if missing:
        print(f"warning: pinned models not in the reference: {', '.join(missing)}", file=sys.stderr)
    text, counts, reasons, dropped = build(reference, pinned)
    json.loads(text)  # well-formed
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"wrote {sum(counts.values())} models to {args.out.name}")
    for group, n in counts.items():
        print(f"  {group:16} {n}")
    if args.verbose:
        print("skipped:", dict(reasons.most_common()))
        print("keys not carried:", dict(dropped.most_common()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

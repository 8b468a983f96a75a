"""Default values shared by the settings, the call path and (later) the Router."""

DEFAULT_MAX_RETRIES = 3  # spec section 4: litellm.num_retries defaults to 3
DEFAULT_REQUEST_TIMEOUT = 600.0  # seconds, per attempt
DEFAULT_CONNECT_TIMEOUT = 10.0  # seconds; never more than the request timeout
DEFAULT_POOL_TIMEOUT = 30.0  # seconds waiting for a free pooled connection
AZURE_DEFAULT_API_VERSION = "2024-10-21"  # latest GA data-plane version in the reference spec
ROUTER_DEFAULT_HEALTH_CHECK_INTERVAL = 300
ROUTER_MAX_FALLBACKS = 5
DEFAULT_COOLDOWN_TIME_SECONDS = 5

# retry backoff: exponential from INITIAL, capped at MAX, with jitter; Retry-After wins up to
# MAX_RETRY_AFTER (a server asking for longer than that gets the error instead of a long sleep)
RETRY_INITIAL_DELAY = 0.5
RETRY_MAX_DELAY = 8.0
MAX_RETRY_AFTER = 60.0

# connection pool
MAX_CONNECTIONS = 1000
MAX_KEEPALIVE_CONNECTIONS = 100
HTTPX_ASYNC_SHARDS = 20  # async httpx clients per event loop (core/transport.py, docs/TRANSPORT.md)
KEEPALIVE_EXPIRY = 30.0

# the largest response body (after content decoding) read for a non-stream request, or for an error
# answer to a stream request; a bigger one is cut off with APIResponseValidationError
MAX_RESPONSE_BYTES = 64 * 1024 * 1024

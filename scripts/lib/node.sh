# Sourced by the HTTP benchmark scripts: start_node JAR starts `warpstats node` from JAR on a fresh data directory,
# HTTP on a free port of 127.0.0.1 (WARPSTATS_JAVA_OPTS: extra JVM options, e.g. a -D toggle of an experiment),
# waits until it serves (at most 60 s; exit 1 with its stderr if it dies or does not start), and sets $dir (a temp
# directory, removed at exit), $pid and $url. The node is killed when the calling script exits.
start_node() {
  dir="$(mktemp -d)"
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # shellcheck disable=SC2086
  java ${WARPSTATS_JAVA_OPTS:-} -jar "$1" node --data-dir "$dir/node" --listen /ip4/127.0.0.1/tcp/0 \
    --http "127.0.0.1:$port" > "$dir/out" 2> "$dir/err" &
  pid=$!
  # errexit holds in the trap too: the killed node's status (143) must not stop it before the removal
  trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; rm -rf "$dir"' EXIT
  for _ in $(seq 1 600); do [ -s "$dir/out" ] && break; kill -0 "$pid" || { cat "$dir/err" >&2; exit 1; }; sleep 0.1; done
  [ -s "$dir/out" ] || { echo "error: the node did not start in 60 s" >&2; exit 1; }
  url="http://127.0.0.1:$port"
}

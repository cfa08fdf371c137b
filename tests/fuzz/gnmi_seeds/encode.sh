#!/usr/bin/env bash
# Re-encodes every *.textproto here as a serialized gnmi.SubscribeResponse into
# ../corpus/gnmi/ (the seeds of fuzz_gnmi). Run from anywhere.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
for text in "$root"/tests/fuzz/gnmi_seeds/*.textproto; do
  name=$(basename "$text" .textproto)
  protoc -I "$root" -I /usr/include --encode=gnmi.SubscribeResponse "$root/proto/gnmi.proto" \
    < "$text" > "$root/tests/fuzz/corpus/gnmi/$name.bin" 2>/dev/null
done

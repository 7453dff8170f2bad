#!/usr/bin/env bash
# The hand-written baseline: submit with curl, poll with curl + jq + sleep.
# Usage: curl-loop.sh <api-base-url> <api-key> <video-url> <sleep-seconds>
set -euo pipefail
base="$1" key="$2" video="$3" interval="$4"
id=$(curl -sS -X POST "$base/api/v1/videos/generations" \
  -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
  -d "{\"model\":\"topaz-video-upscaler\",\"video_url\":\"$video\",\"upscale_factor\":\"2\"}" | jq -r .id)
while true; do
  sleep "$interval"
  task=$(curl -sS "$base/api/v1/tasks/$id" -H "Authorization: Bearer $key")
  status=$(jq -r .status <<< "$task")
  if [ "$status" = completed ]; then jq -r '.output.video_urls[0]' <<< "$task"; exit 0; fi
  if [ "$status" = failed ]; then echo "failed" >&2; exit 1; fi
done

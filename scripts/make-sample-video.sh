#!/usr/bin/env bash
# Regenerates pipelines/media/walk.mp4: the public-domain astronaut photo from
# test/fixtures (scikit-image) sliding across a flat background, 4 s at 25 fps.
# It gives the example pipelines a real person to detect, track and count.
set -euo pipefail
cd "$(dirname "$0")/.."
ffmpeg=$(node -e "console.log(require('@ffmpeg-installer/ffmpeg').path)")
"$ffmpeg" -v error -f lavfi -i color=c=0x556677:size=640x360:rate=25:duration=4 \
  -i test/fixtures/astronaut.png \
  -filter_complex "[1:v]scale=220:-1[a];[0:v][a]overlay=x='-110+t*170':y=70,format=yuv420p" \
  -c:v libx264 -preset veryfast -crf 26 -y pipelines/media/walk.mp4

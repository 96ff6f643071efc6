#!/usr/bin/env python3
"""lesson_fixture.py - archival part files for the lesson tests, made with
GStreamer the way docs/recording.md describes them (VP8 and Opus as they
would arrive, in Matroska, plus the JSON Lines sidecar), until the recorder
writes real ones.

    lesson_fixture.py DIR EVENT_ID PART SECONDS [WIDTH HEIGHT]

writes DIR/part-PART.mkv and DIR/part-PART.jsonl: the trainer's camera,
voice and screen (shared from 30 % to 70 % of the part), an activist's
camera and voice; marks: screen_start, chapter, screen_stop, floor_given
and speaker; an end line.  Prints the marks' times as JSON.  Importable:
make_part() returns the same.
"""
import json
import os
import subprocess
import sys

FPS = 25


def video(name, pattern, seconds, w, h, start=0.0, stop=None, extra=''):
    stop = seconds if stop is None else stop
    frames = int(round((stop - start) * FPS))
    offset = int(start * 1e9)
    return (f'videotestsrc pattern={pattern} num-buffers={frames} timestamp-offset={offset} {extra}'
            f' ! video/x-raw,width={w},height={h},framerate={FPS}/1'
            f' ! vp8enc deadline=1 cpu-used=16 target-bitrate=800000 keyframe-max-dist=50'
            f' ! queue ! m.{name}')


def audio(name, freq, seconds):
    blocks = int(seconds * 50)
    return (f'audiotestsrc wave=sine freq={freq} volume=0.2 samplesperbuffer=960'
            f' num-buffers={blocks} ! audio/x-raw,rate=48000,channels=1'
            f' ! opusenc bitrate=32000 ! queue ! m.{name}')


def make_part(directory, event_id, part, seconds, w=1280, h=720):
    os.makedirs(directory, exist_ok=True)
    mkv = os.path.join(directory, f'part-{part}.mkv')
    s0, s1 = round(seconds * 0.3, 1), round(seconds * 0.7, 1)
    pipeline = ' '.join([
        f'matroskamux name=m streamable=true ! filesink location={mkv}',
        video('video_0', 'ball', seconds, w, h),            # track 1 trainer camera
        audio('audio_0', 440, seconds),                     # track 2 trainer voice
        video('video_1', 'smpte', seconds, w, h, s0, s1),   # track 3 the screen
        video('video_2', 'pinwheel', seconds, w // 2, h // 2),  # track 4 activist camera
        audio('audio_1', 660, seconds),                     # track 5 activist voice
    ])
    subprocess.run(['gst-launch-1.0', '-q'] + pipeline.split(), check=True,
                   stdout=subprocess.DEVNULL)
    trainer = {'participant': 3, 'person_id': 42, 'name': 'Анна Петрова', 'role': 'trainer'}
    activist = {'participant': 7, 'person_id': 43, 'name': 'Иван Сидоров', 'role': 'activist'}
    floor = round(seconds * 0.8, 1)
    lines = [
        {'type': 'header', 'version': 1, 'event_id': event_id, 'part': part,
         'room': f'ev-{event_id}', 't0_ms': 1764752400000 + part * 3600000},
        dict(type='track', track=1, kind='camera', codec='vp8', **trainer),
        dict(type='track', track=2, kind='audio', codec='opus', **trainer),
        dict(type='track', track=3, kind='screen', codec='vp8', **trainer),
        dict(type='track', track=4, kind='camera', codec='vp8', **activist),
        dict(type='track', track=5, kind='audio', codec='opus', **activist),
        {'type': 'mark', 't_ms': int(s0 * 1000), 'what': 'screen_start', 'participant': 3},
        {'type': 'mark', 't_ms': int((s0 + 1) * 1000) + 1500, 'what': 'chapter',
         'label': 'Часть 2: <переговоры> & итоги'},
        {'type': 'mark', 't_ms': int(s1 * 1000), 'what': 'screen_stop', 'participant': 3},
        {'type': 'mark', 't_ms': int(floor * 1000), 'what': 'floor_given', 'participant': 7,
         'name': 'Иван Сидоров'},
        {'type': 'mark', 't_ms': int(floor * 1000) + 200, 'what': 'speaker', 'participant': 7},
        {'type': 'end', 't_ms': int(seconds * 1000)},
    ]
    with open(os.path.join(directory, f'part-{part}.jsonl'), 'w', encoding='utf-8') as f:
        for line in lines:
            f.write(json.dumps(line, ensure_ascii=False) + '\n')
    return {'mkv': mkv, 'screen_start_ms': int(s0 * 1000),
            'chapter_ms': int((s0 + 1) * 1000) + 1500,
            'floor_ms': int(floor * 1000), 'duration_ms': int(seconds * 1000)}


if __name__ == '__main__':
    a = sys.argv[1:]
    if len(a) not in (4, 6):
        sys.exit(__doc__)
    wh = (int(a[4]), int(a[5])) if len(a) == 6 else (1280, 720)
    print(json.dumps(make_part(a[0], int(a[1]), int(a[2]), float(a[3]), *wh)))

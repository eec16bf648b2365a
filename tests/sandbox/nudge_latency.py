#!/usr/bin/env python3
# Measures, through the sandbox page's API, how long it takes from a hostile reply being posted to
# the boundary suggestion being visible in the target's private view (4 people x 3 channels; the
# nudge policy may hold some back, which are counted, not timed). Usage:
#   echo '{"storage":{"url":"sqlite:/tmp/nb-lat.db"},"nudges":{"cooldown_minutes":0,"daily_cap":100},
#          "ops":{"listen":"127.0.0.1:0"}}' > /tmp/nb-lat.json
#   build/nudgebot sandbox --port 8080 --config /tmp/nb-lat.json &
#   python3 tests/sandbox/nudge_latency.py http://127.0.0.1:8080/
import json, statistics, sys, time, urllib.request
base = sys.argv[1].rstrip('/')
def post(path, body):
    r = urllib.request.Request(base + '/sandbox/api/' + path, json.dumps(body).encode(), {'Content-Type': 'application/json'})
    return json.load(urllib.request.urlopen(r))
def dms(who):
    s = json.load(urllib.request.urlopen(base + '/sandbox/api/state?as=' + who))
    return sum(1 for i in s['private'] if i['kind'] == 'dm')
targets = ['alice', 'carol', 'dave', 'erin']
for t in targets: post('send', {'as': t, 'channel': 'general', 'text': '/nudge on'})
time.sleep(0.5)
lat = []; missed = 0
for ch in ['general', 'code-review', 'random']:
    for t in targets:
        a = post('send', {'as': t, 'channel': ch, 'text': 'Shall we ship this on Friday?'})
        n = dms(t); t0 = time.perf_counter()
        post('send', {'as': 'bob', 'channel': ch, 'text': 'Shut up, you are an idiot and that plan is garbage.', 'reply_to': a['id']})
        while dms(t) == n:
            if time.perf_counter() - t0 > 3: missed += 1; break
        else:
            lat.append((time.perf_counter() - t0) * 1000)
lat.sort()
print(f"hostile reply posted -> boundary DM visible in the target's state: n={len(lat)} median {statistics.median(lat):.1f} ms, max {lat[-1]:.1f} ms, not delivered within 3 s: {missed}")

"""Media engine: RTP/RTCP, jitter buffer, codecs, DTMF, tones, the audio bridge and devices.

The wire formats and the jitter buffer are sans-IO (times are passed in); sockets and
audio devices live in the stream, bridge and device modules.
"""

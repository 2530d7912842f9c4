/*
 * Decode throughput of libre's SIP parser (the library under baresip), for the
 * side-by-side with Parley's parser in bench/bench_parse_compare.py.
 *
 * Usage: re_parse_bench FILE [SECONDS]
 * Reads one SIP message from FILE (bytes as sent on the wire), decodes it with
 * sip_msg_decode() in a loop for about SECONDS (default 1.0) and prints one JSON
 * line: {"file": ..., "bytes": N, "messages": M, "seconds": S, "msgs_per_s": R}.
 *
 * Each iteration is what a receiving stack does with one datagram: rewind the
 * buffer, decode it into a struct sip_msg (start line, header list, the headers
 * libre decodes eagerly: Via, To, From, CSeq, Call-ID, Content-Type, ...) and free it.
 * Build: gcc -O2 re_parse_bench.c $(pkg-config --cflags --libs libre)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <re.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int decode_once(struct mbuf *mb)
{
	struct sip_msg *msg = NULL;
	int err;

	mbuf_set_pos(mb, 0);
	err = sip_msg_decode(&msg, mb);
	if (err)
		return err;
	mem_deref(msg);
	return 0;
}

int main(int argc, char *argv[])
{
	uint8_t data[65536];
	double seconds = 1.0, start, elapsed;
	unsigned long count = 0;
	const unsigned batch = 1000;
	struct mbuf *mb;
	size_t len;
	FILE *f;
	int err;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [SECONDS]\n", argv[0]);
		return 2;
	}
	if (argc > 2)
		seconds = atof(argv[2]);
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 2;
	}
	len = fread(data, 1, sizeof(data), f);
	fclose(f);

	err = libre_init();
	if (err) {
		fprintf(stderr, "libre_init: %d\n", err);
		return 1;
	}
	mb = mbuf_alloc(len);
	if (!mb || mbuf_write_mem(mb, data, len)) {
		fprintf(stderr, "mbuf: out of memory\n");
		return 1;
	}

	err = decode_once(mb); /* warm up, and refuse a message libre cannot decode */
	if (err) {
		fprintf(stderr, "sip_msg_decode(%s): error %d\n", argv[1], err);
		return 1;
	}

	start = now();
	do {
		for (unsigned i = 0; i < batch; i++) {
			if (decode_once(mb)) {
				fprintf(stderr, "sip_msg_decode failed in the loop\n");
				return 1;
			}
		}
		count += batch;
		elapsed = now() - start;
	} while (elapsed < seconds);

	printf("{\"file\": \"%s\", \"bytes\": %zu, \"messages\": %lu, "
	       "\"seconds\": %.6f, \"msgs_per_s\": %.0f}\n",
	       argv[1], len, count, elapsed, (double)count / elapsed);

	mem_deref(mb);
	libre_close();
	return 0;
}

/*
 * tests/fuzz/fuzz_message.h: the fuzz check of one generated message codec
 * (proto/gen/messages.h), shared by the response and consumer protocol
 * targets.
 *
 * FUZZ_MESSAGE(T) defines
 *     static void fuzz_T(int16_t version, const uint8_t *p, size_t n)
 * which decodes p[0..n) as a T of that version into a fresh arena. Beyond
 * "no crash, no leak, no over-read", a message that decodes must survive a
 * round trip: it encodes without error into exactly the bytes T_size()
 * announces (encoding reads every string and byte view it holds), and those
 * bytes decode, using all of them, to a message that encodes to the same
 * bytes again. (The first encoding may differ from the input, which can
 * carry unknown tagged fields or overlong varints.)
 */
#ifndef KFK_FUZZ_MESSAGE_H
#define KFK_FUZZ_MESSAGE_H

#include <string.h>

#include <kfk/errors.h>

#include "fuzz_common.h"
#include "proto/arena.h"
#include "proto/buf.h"
#include "proto/gen/messages.h"

#define FUZZ_MESSAGE(T)                                                       \
	static void T##_fuzz_encode(kfk_wbuf *w, int16_t v,                   \
	                            const struct T *m)                        \
	{                                                                     \
		size_t want = T##_size(v, m);                                 \
		int err;                                                      \
		kfk_wbuf_init(w);                                             \
		err = T##_encode(w, v, m);                                    \
		if (err)                                                      \
			fprintf(stderr, #T " v%d: re-encoding failed: %d\n",  \
			        v, err);                                      \
		FUZZ_CHECK(err == 0);                                         \
		FUZZ_CHECK(w->len == want);                                   \
	}                                                                     \
	static void T##_fuzz_again(int16_t v, const uint8_t *buf, size_t len) \
	{                                                                     \
		struct T m;                                                   \
		kfk_arena a;                                                  \
		kfk_rbuf r;                                                   \
		kfk_wbuf w;                                                   \
		kfk_arena_init(&a);                                           \
		kfk_rbuf_init(&r, buf, len);                                  \
		FUZZ_CHECK(T##_decode(&r, v, &a, &m) == 0);                   \
		FUZZ_CHECK(kfk_rbuf_remaining(&r) == 0);                      \
		T##_fuzz_encode(&w, v, &m);                                   \
		FUZZ_CHECK(w.len == len);                                     \
		FUZZ_CHECK(len == 0 || memcmp(w.buf, buf, len) == 0);         \
		kfk_wbuf_free(&w);                                            \
		kfk_arena_destroy(&a);                                        \
	}                                                                     \
	static void fuzz_##T(int16_t v, const uint8_t *p, size_t n)           \
	{                                                                     \
		struct T m;                                                   \
		kfk_arena a;                                                  \
		kfk_rbuf r;                                                   \
		kfk_wbuf w;                                                   \
		int err;                                                      \
		kfk_arena_init(&a);                                           \
		kfk_rbuf_init(&r, p, n);                                      \
		err = T##_decode(&r, v, &a, &m);                              \
		FUZZ_CHECK(err == r.err);                                     \
		FUZZ_CHECK(r.p >= p && r.p <= p + n);                         \
		if (err) {                                                    \
			FUZZ_CHECK(err == KFK_ERR__MALFORMED ||               \
			           err == KFK_ERR__NO_MEMORY);                \
		} else {                                                      \
			T##_fuzz_encode(&w, v, &m);                           \
			T##_fuzz_again(v, w.buf, w.len);                      \
			kfk_wbuf_free(&w);                                    \
		}                                                             \
		kfk_arena_destroy(&a);                                        \
	}

#endif /* KFK_FUZZ_MESSAGE_H */

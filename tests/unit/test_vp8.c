/* test_vp8.c - RFC 7741 payload descriptor rows, key frame detection, and
 * packetize-then-parse round trips. */
#include <stdint.h>
#include <string.h>

#include "check.h"
#include "err.h"
#include "vp8.h"

/* Rows: payload bytes (descriptor then the first VP8 byte) and the decoded
 * descriptor; every row parses. */
TEST(descriptor_rows)
{
    static const struct {
        const char *name;
        size_t len;
        uint8_t b[8];
        size_t desc_len;
        bool s, key, has_pid, has_tl0, has_tid, has_keyidx, n_bit, y_bit;
        uint8_t part;
        uint16_t pid;
        uint8_t tl0, tid, keyidx;
    } rows[] = {
        { "minimal key frame", 2, { 0x10, 0x9c }, 1,
          true, true, false, false, false, false, false, false, 0, 0, 0, 0, 0 },
        { "minimal delta frame", 2, { 0x10, 0x31 }, 1,
          true, false, false, false, false, false, false, false, 0, 0, 0, 0,
          0 },
        { "continuation", 2, { 0x00, 0x9c }, 1,
          false, false, false, false, false, false, false, false, 0, 0, 0, 0,
          0 },
        { "partition 1", 2, { 0x11, 0x9c }, 1,
          true, false, false, false, false, false, false, false, 1, 0, 0, 0,
          0 },
        { "7-bit picture id", 4, { 0x90, 0x80, 0x45, 0x9c }, 3,
          true, true, true, false, false, false, false, false, 0, 0x45, 0, 0,
          0 },
        { "15-bit picture id", 5, { 0x90, 0x80, 0xab, 0xcd, 0x9c }, 4,
          true, true, true, false, false, false, false, false, 0, 0x2bcd, 0,
          0, 0 },
        { "all extensions", 7, { 0xb0, 0xf0, 0x81, 0x02, 0x07, 0x65, 0x9c },
          6, true, true, true, true, true, true, true, true, 0, 0x102, 7, 1,
          5 },
        { "K only", 4, { 0x80, 0x10, 0x1f, 0x9d }, 3,
          false, false, false, false, false, true, false, false, 0, 0, 0, 0,
          31 },
        { "T only", 4, { 0x80, 0x20, 0xc0, 0x9d }, 3,
          false, false, false, false, true, false, false, false, 0, 0, 0, 3,
          0 },
        { "X only, empty", 3, { 0x80, 0x00, 0x9c }, 2,
          false, false, false, false, false, false, false, false, 0, 0, 0, 0,
          0 },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_vp8_descriptor d;
        const char *err = NULL;
        int r = veche_vp8_parse(rows[i].b, rows[i].len, &d, &err);
        if (r != 0)
            fprintf(stderr, "# row %s: %d\n", rows[i].name, r);
        CHECK_EQ_INT(r, 0);
        if (r != 0)
            continue;
        CHECK_EQ_INT(d.descriptor_len, rows[i].desc_len);
        CHECK_EQ_INT(d.start_of_partition, rows[i].s);
        CHECK_EQ_INT(d.keyframe, rows[i].key);
        CHECK_EQ_INT(d.partition_id, rows[i].part);
        CHECK_EQ_INT(d.has_picture_id, rows[i].has_pid);
        CHECK_EQ_INT(d.picture_id, rows[i].pid);
        CHECK_EQ_INT(d.has_tl0picidx, rows[i].has_tl0);
        CHECK_EQ_INT(d.tl0picidx, rows[i].tl0);
        CHECK_EQ_INT(d.has_tid, rows[i].has_tid);
        CHECK_EQ_INT(d.tid, rows[i].tid);
        CHECK_EQ_INT(d.layer_sync, rows[i].y_bit);
        CHECK_EQ_INT(d.has_keyidx, rows[i].has_keyidx);
        CHECK_EQ_INT(d.keyidx, rows[i].keyidx);
        CHECK_EQ_INT(d.non_reference, rows[i].n_bit);
    }
}

/* Rows of cut-short payloads: all VECHE_ETRUNC with a reason. */
TEST(descriptor_rejects)
{
    static const struct {
        const char *name;
        size_t len;
        uint8_t b[4];
    } rows[] = {
        { "empty", 0, { 0 } },
        { "descriptor only", 1, { 0x10 } },
        { "X byte missing", 1, { 0x90 } },
        { "picture id missing", 2, { 0x90, 0x80 } },
        { "15-bit id cut", 3, { 0x90, 0x80, 0x80 } },
        { "TL0PICIDX missing", 2, { 0x90, 0x40 } },
        { "TID missing", 3, { 0x90, 0x60, 0x01 } },
        { "no payload after", 4, { 0x90, 0x80, 0x81, 0x02 } },
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        veche_vp8_descriptor d;
        const char *err = NULL;
        int r = veche_vp8_parse(rows[i].b, rows[i].len, &d, &err);
        if (r != VECHE_ETRUNC)
            fprintf(stderr, "# row %s: %d\n", rows[i].name, r);
        CHECK_EQ_INT(r, VECHE_ETRUNC);
        CHECK(err != NULL);
    }
    CHECK_EQ_INT(veche_vp8_parse(NULL, 5, &(veche_vp8_descriptor){ 0 }, NULL),
                 VECHE_ETRUNC);
}

typedef struct {
    int count;
    size_t sizes[64];
    bool last[64];
    uint8_t joined[8192];
    size_t joined_len;
    uint16_t picture_id;
    bool ok;
    int keyframes;
} collect;

/* Parses each payload as it is emitted and joins the frame back. */
static void on_payload(void *ud, const uint8_t *p, size_t n, bool last)
{
    collect *c = ud;
    veche_vp8_descriptor d;
    if (c->count >= 64 || veche_vp8_parse(p, n, &d, NULL) != 0) {
        c->ok = false;
        return;
    }
    if (d.descriptor_len != 4 || !d.has_picture_id ||
        d.picture_id != c->picture_id || d.start_of_partition != (c->count == 0) ||
        d.partition_id != 0 || d.has_tl0picidx || d.has_tid)
        c->ok = false;
    c->keyframes += d.keyframe;
    c->sizes[c->count] = n;
    c->last[c->count] = last;
    c->count++;
    memcpy(c->joined + c->joined_len, p + 4, n - 4);
    c->joined_len += n - 4;
}

/* Rows: frame length, max_payload, and the payload sizes expected. */
TEST(packetize_rows)
{
    static const struct {
        size_t len, max;
        int count;
        size_t first, lastsz;
    } rows[] = {
        { 1, 1200, 1, 5, 5 },
        { 1196, 1200, 1, 1200, 1200 },
        { 1197, 1200, 2, 603, 602 },     /* 599 + 598: even split */
        { 3000, 1200, 3, 1004, 1004 },
        { 3001, 1200, 3, 1005, 1004 },
        { 10, 5, 10, 5, 5 },             /* one byte each */
        { 5000, 9000, 4, 1254, 1254 },   /* clamped to 1500 */
    };
    uint8_t frame[5000];
    for (size_t i = 0; i < sizeof frame; i++)
        frame[i] = (uint8_t)(i * 7 + 3);
    frame[0] = 0x9c;                    /* P bit clear: key frame */
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        collect c = { .picture_id = 0x1234, .ok = true };
        int r = veche_vp8_packetize(frame, rows[i].len, 0x1234, rows[i].max,
                                    on_payload, &c);
        CHECK_EQ_INT(r, rows[i].count);
        CHECK_EQ_INT(c.count, rows[i].count);
        CHECK(c.ok);
        CHECK_EQ_INT(c.keyframes, 1);
        CHECK_EQ_INT(c.sizes[0], rows[i].first);
        CHECK_EQ_INT(c.sizes[c.count - 1], rows[i].lastsz);
        for (int k = 0; k < c.count; k++) {
            CHECK(c.sizes[k] <= rows[i].max);
            CHECK_EQ_INT(c.last[k], k == c.count - 1);
        }
        CHECK_EQ_INT(c.joined_len, rows[i].len);
        CHECK(memcmp(c.joined, frame, rows[i].len) == 0);
    }
}

TEST(packetize_delta_frame_and_picture_id_mask)
{
    uint8_t frame[100];
    memset(frame, 0x31, sizeof frame);  /* P bit set: delta frame */
    collect c = { .picture_id = 0x7fff, .ok = true };
    CHECK_EQ_INT(veche_vp8_packetize(frame, sizeof frame, 0xffff, 60,
                                     on_payload, &c), 2);
    CHECK(c.ok);                        /* 0xffff sent as 15 bits */
    CHECK_EQ_INT(c.keyframes, 0);
}

TEST(packetize_rejects)
{
    uint8_t frame[10] = { 0 };
    collect c = { .ok = true };
    CHECK_EQ_INT(veche_vp8_packetize(frame, 0, 1, 100, on_payload, &c),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_vp8_packetize(NULL, 10, 1, 100, on_payload, &c),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_vp8_packetize(frame, 10, 1, 4, on_payload, &c),
                 VECHE_EINVAL);
    CHECK_EQ_INT(veche_vp8_packetize(frame, 10, 1, 100, NULL, &c),
                 VECHE_EINVAL);
    CHECK_EQ_INT(c.count, 0);
}

int main(void)
{
    RUN(descriptor_rows);
    RUN(descriptor_rejects);
    RUN(packetize_rows);
    RUN(packetize_delta_frame_and_picture_id_mask);
    RUN(packetize_rejects);
    return check_finish();
}

/* clip.c - builds veche-peer's deterministic 5 s clip: Opus audio of a chirp
 * plus fixed-seed noise, and VP8 video of a synthetic moving pattern,
 * packetized with veche_vp8_packetize().
 *
 * Determinism: every input sample and pixel comes from integer arithmetic,
 * libm sin() and a fixed-seed xorshift; libopus runs at a fixed complexity
 * and bitrate; libvpx runs single-threaded, without lag, at a *fixed* speed.
 * Note that VP8 treats a positive cpu-used under VPX_DL_REALTIME as "pick the
 * speed from measured encode times", which is not deterministic; a negative
 * value (-8) fixes the speed at 8, so that is what we use.
 *
 * Does not: decode anything, or touch the network.
 */
#include "clip.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>
#include <openssl/evp.h>
#include <opus.h>
#include <vpx/vp8cx.h>
#include <vpx/vpx_encoder.h>

#include "vp8.h"

#define AUDIO_RATE 48000
#define AUDIO_CHANNELS 2
#define AUDIO_FRAME_SAMPLES (AUDIO_RATE * VPEER_AUDIO_FRAME_MS / 1000)
#define AUDIO_FRAMES (VPEER_CLIP_SECONDS * 1000 / VPEER_AUDIO_FRAME_MS)
#define VIDEO_W 320
#define VIDEO_H 240
#define VIDEO_FRAMES (VPEER_CLIP_SECONDS * VPEER_VIDEO_FPS)
#define VIDEO_KEY_INTERVAL 30
#define VIDEO_KBPS 300

typedef struct {
    GByteArray *bytes;          /* all payloads back to back */
    GArray *packets;            /* vpeer_clip_packet; data fixed up at end */
    GArray *offsets;            /* size_t offset of each packet in bytes */
    GArray *frames;             /* vpeer_clip_frame */
    GHashTable *index;          /* GBytes payload -> index + 1 */
} clip_track;

struct vpeer_clip {
    clip_track track[2];
};

/* ---- track storage ---------------------------------------------------- */

static void track_init(clip_track *t)
{
    t->bytes = g_byte_array_new();
    t->packets = g_array_new(FALSE, TRUE, sizeof(vpeer_clip_packet));
    t->offsets = g_array_new(FALSE, TRUE, sizeof(size_t));
    t->frames = g_array_new(FALSE, TRUE, sizeof(vpeer_clip_frame));
    t->index = g_hash_table_new_full(g_bytes_hash, g_bytes_equal,
                                     (GDestroyNotify)g_bytes_unref, NULL);
}

static void track_clear(clip_track *t)
{
    if (t->bytes)
        g_byte_array_unref(t->bytes);
    if (t->packets)
        g_array_unref(t->packets);
    if (t->offsets)
        g_array_unref(t->offsets);
    if (t->frames)
        g_array_unref(t->frames);
    if (t->index)
        g_hash_table_unref(t->index);
}

static void track_add_packet(clip_track *t, const uint8_t *p, size_t n,
                             bool marker)
{
    vpeer_clip_packet pkt = { NULL, (uint16_t)n, marker, t->frames->len };
    size_t off = t->bytes->len;
    g_byte_array_append(t->bytes, p, (guint)n);
    g_array_append_val(t->packets, pkt);
    g_array_append_val(t->offsets, off);
}

static void track_end_frame(clip_track *t, uint32_t first)
{
    vpeer_clip_frame f = { first, t->packets->len - first };
    g_array_append_val(t->frames, f);
}

/* Point packets into the final byte array and index them.  Returns false
 * when two payloads are equal (the clip would be ambiguous). */
static bool track_finish(clip_track *t)
{
    for (guint i = 0; i < t->packets->len; i++) {
        vpeer_clip_packet *p = &g_array_index(t->packets, vpeer_clip_packet, i);
        p->data = t->bytes->data + g_array_index(t->offsets, size_t, i);
        GBytes *key = g_bytes_new_static(p->data, p->len);
        if (g_hash_table_contains(t->index, key)) {
            g_bytes_unref(key);
            return false;
        }
        g_hash_table_insert(t->index, key, GUINT_TO_POINTER(i + 1));
    }
    return true;
}

/* ---- deterministic sources -------------------------------------------- */

static uint32_t xorshift32(uint32_t *s)
{
    uint32_t x = *s;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *s = x;
}

/* Sample n of the chirp (200 Hz -> 3 kHz over the clip) plus noise. */
static void audio_sample(uint32_t n, uint32_t *rng, int16_t out[2])
{
    double t = (double)n / AUDIO_RATE;
    double sweep = (3000.0 - 200.0) / (2.0 * VPEER_CLIP_SECONDS);
    double phase = 2.0 * M_PI * (200.0 * t + sweep * t * t);
    for (int ch = 0; ch < 2; ch++) {
        double noise = ((double)(xorshift32(rng) & 0xffff) / 65536.0 - 0.5);
        double v = 0.25 * sin(phase * (ch ? 1.5 : 1.0)) + 0.06 * noise;
        out[ch] = (int16_t)lrint(v * 32767.0);
    }
}

static uint8_t clamp_u8(int v)
{
    return (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
}

/* Fill an I420 image with frame f of the pattern: moving plasma, a moving
 * box, and fixed-seed noise so no two frames encode alike. */
static void video_pattern(vpx_image_t *img, uint32_t f)
{
    uint32_t rng = 0x9e3779b9u ^ (f * 2654435761u);
    int bx = (int)(f * 5 % (VIDEO_W - 48)), by = (int)(f * 3 % (VIDEO_H - 48));
    for (int y = 0; y < VIDEO_H; y++) {
        uint8_t *row = img->planes[0] + y * img->stride[0];
        for (int x = 0; x < VIDEO_W; x++) {
            int v = 128 + (int)lrint(70.0 * sin((x + 4.0 * f) / 23.0) *
                                     cos((y - 2.0 * f) / 17.0));
            if (x >= bx && x < bx + 48 && y >= by && y < by + 48)
                v = 235;
            v += (int)(xorshift32(&rng) % 9) - 4;
            row[x] = clamp_u8(v);
        }
    }
    for (int p = 1; p <= 2; p++)
        for (int y = 0; y < VIDEO_H / 2; y++) {
            uint8_t *row = img->planes[p] + y * img->stride[p];
            for (int x = 0; x < VIDEO_W / 2; x++)
                row[x] = (uint8_t)(p == 1 ? 96 + ((x + f) & 63)
                                          : 160 - ((y + 2 * f) & 63));
        }
}

/* ---- audio ---------------------------------------------------------------- */

static const char *build_audio(clip_track *t)
{
    int err = 0;
    OpusEncoder *enc = opus_encoder_create(AUDIO_RATE, AUDIO_CHANNELS,
                                           OPUS_APPLICATION_AUDIO, &err);
    if (!enc)
        return "opus_encoder_create failed";
    opus_encoder_ctl(enc, OPUS_SET_COMPLEXITY(5));
    opus_encoder_ctl(enc, OPUS_SET_BITRATE(48000));
    opus_encoder_ctl(enc, OPUS_SET_INBAND_FEC(1));
    opus_encoder_ctl(enc, OPUS_SET_PACKET_LOSS_PERC(5));
    uint32_t rng = 0x12345678u;
    int16_t pcm[AUDIO_FRAME_SAMPLES * AUDIO_CHANNELS];
    uint8_t out[1500];
    const char *fail = NULL;
    for (uint32_t f = 0; f < AUDIO_FRAMES && !fail; f++) {
        for (uint32_t i = 0; i < AUDIO_FRAME_SAMPLES; i++)
            audio_sample(f * AUDIO_FRAME_SAMPLES + i, &rng, &pcm[2 * i]);
        opus_int32 n = opus_encode(enc, pcm, AUDIO_FRAME_SAMPLES, out,
                                   sizeof out);
        if (n <= 0 || n > VPEER_CLIP_MAX_PAYLOAD) {
            fail = "opus_encode failed";
            break;
        }
        uint32_t first = t->packets->len;
        track_add_packet(t, out, (size_t)n, true);
        track_end_frame(t, first);
    }
    opus_encoder_destroy(enc);
    return fail;
}

/* ---- video ---------------------------------------------------------------- */

typedef struct {
    clip_track *t;
} emit_ctx;

static void emit_payload(void *ud, const uint8_t *p, size_t n, bool last)
{
    emit_ctx *e = ud;
    track_add_packet(e->t, p, n, last);
}

static void vpx_config(vpx_codec_enc_cfg_t *cfg)
{
    cfg->g_w = VIDEO_W;
    cfg->g_h = VIDEO_H;
    cfg->g_timebase.num = 1;
    cfg->g_timebase.den = VPEER_VIDEO_FPS;
    cfg->g_threads = 1;
    cfg->g_lag_in_frames = 0;
    cfg->g_pass = VPX_RC_ONE_PASS;
    cfg->g_error_resilient = VPX_ERROR_RESILIENT_DEFAULT;
    cfg->rc_end_usage = VPX_CBR;
    cfg->rc_target_bitrate = VIDEO_KBPS;
    cfg->rc_dropframe_thresh = 0;     /* every frame must produce output */
    cfg->rc_min_quantizer = 4;
    cfg->rc_max_quantizer = 56;
    cfg->kf_mode = VPX_KF_DISABLED;   /* key frames are forced below */
}

/* Encode frame f and packetize what comes out. */
static const char *encode_frame(vpx_codec_ctx_t *codec, vpx_image_t *img,
                                uint32_t f, clip_track *t)
{
    vpx_enc_frame_flags_t flags = f % VIDEO_KEY_INTERVAL == 0
                                      ? VPX_EFLAG_FORCE_KF : 0;
    video_pattern(img, f);
    if (vpx_codec_encode(codec, img, f, 1, flags, VPX_DL_REALTIME) !=
        VPX_CODEC_OK)
        return "vpx_codec_encode failed";
    uint32_t first = t->packets->len;
    vpx_codec_iter_t iter = NULL;
    const vpx_codec_cx_pkt_t *pkt;
    emit_ctx e = { t };
    while ((pkt = vpx_codec_get_cx_data(codec, &iter)) != NULL) {
        if (pkt->kind != VPX_CODEC_CX_FRAME_PKT)
            continue;
        if (veche_vp8_packetize(pkt->data.frame.buf, pkt->data.frame.sz,
                                (uint16_t)f, VPEER_CLIP_MAX_PAYLOAD,
                                emit_payload, &e) <= 0)
            return "veche_vp8_packetize failed";
    }
    if (t->packets->len == first)
        return "libvpx dropped a frame";
    track_end_frame(t, first);
    return NULL;
}

static const char *build_video(clip_track *t)
{
    vpx_codec_ctx_t codec;
    vpx_codec_enc_cfg_t cfg;
    if (vpx_codec_enc_config_default(vpx_codec_vp8_cx(), &cfg, 0) !=
        VPX_CODEC_OK)
        return "vpx_codec_enc_config_default failed";
    vpx_config(&cfg);
    if (vpx_codec_enc_init(&codec, vpx_codec_vp8_cx(), &cfg, 0) !=
        VPX_CODEC_OK)
        return "vpx_codec_enc_init failed";
    vpx_codec_control(&codec, VP8E_SET_CPUUSED, -8);
    vpx_codec_control(&codec, VP8E_SET_NOISE_SENSITIVITY, 0);
    vpx_image_t *img = vpx_img_alloc(NULL, VPX_IMG_FMT_I420, VIDEO_W,
                                     VIDEO_H, 16);
    const char *fail = img ? NULL : "vpx_img_alloc failed";
    for (uint32_t f = 0; f < VIDEO_FRAMES && !fail; f++)
        fail = encode_frame(&codec, img, f, t);
    vpx_img_free(img);
    vpx_codec_destroy(&codec);
    return fail;
}

/* ---- public --------------------------------------------------------------- */

vpeer_clip *vpeer_clip_new(const char **err_desc)
{
    vpeer_clip *c = g_new0(vpeer_clip, 1);
    track_init(&c->track[VPEER_AUDIO]);
    track_init(&c->track[VPEER_VIDEO]);
    const char *fail = build_audio(&c->track[VPEER_AUDIO]);
    if (!fail)
        fail = build_video(&c->track[VPEER_VIDEO]);
    if (!fail && (!track_finish(&c->track[VPEER_AUDIO]) ||
                  !track_finish(&c->track[VPEER_VIDEO])))
        fail = "clip has two equal payloads";
    if (fail) {
        if (err_desc)
            *err_desc = fail;
        vpeer_clip_free(c);
        return NULL;
    }
    return c;
}

void vpeer_clip_free(vpeer_clip *c)
{
    if (!c)
        return;
    track_clear(&c->track[VPEER_AUDIO]);
    track_clear(&c->track[VPEER_VIDEO]);
    g_free(c);
}

uint32_t vpeer_clip_packet_count(const vpeer_clip *c, vpeer_kind k)
{
    return c->track[k].packets->len;
}

const vpeer_clip_packet *vpeer_clip_packet_at(const vpeer_clip *c,
                                              vpeer_kind k, uint32_t i)
{
    return &g_array_index(c->track[k].packets, vpeer_clip_packet, i);
}

uint32_t vpeer_clip_frame_count(const vpeer_clip *c, vpeer_kind k)
{
    return c->track[k].frames->len;
}

vpeer_clip_frame vpeer_clip_frame_at(const vpeer_clip *c, vpeer_kind k,
                                     uint32_t i)
{
    return g_array_index(c->track[k].frames, vpeer_clip_frame, i);
}

uint32_t vpeer_clip_frame_ticks(vpeer_kind k)
{
    return k == VPEER_AUDIO ? AUDIO_FRAME_SAMPLES
                            : VPEER_VIDEO_CLOCK / VPEER_VIDEO_FPS;
}

uint64_t vpeer_clip_frame_us(vpeer_kind k)
{
    return k == VPEER_AUDIO ? VPEER_AUDIO_FRAME_MS * 1000
                            : 1000000 / VPEER_VIDEO_FPS;
}

double vpeer_clip_packet_rate(const vpeer_clip *c, vpeer_kind k)
{
    return (double)vpeer_clip_packet_count(c, k) / VPEER_CLIP_SECONDS;
}

int64_t vpeer_clip_lookup(const vpeer_clip *c, vpeer_kind k,
                          const uint8_t *payload, size_t len)
{
    GBytes *key = g_bytes_new_static(payload, len);
    gpointer v = g_hash_table_lookup(c->track[k].index, key);
    g_bytes_unref(key);
    return v ? (int64_t)GPOINTER_TO_UINT(v) - 1 : -1;
}

void vpeer_clip_sha256_hex(const vpeer_clip *c, char out[65])
{
    unsigned char md[32];
    unsigned int mdlen = 0;
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
    for (int k = 0; k < 2; k++)
        for (uint32_t i = 0; i < vpeer_clip_packet_count(c, k); i++) {
            const vpeer_clip_packet *p = vpeer_clip_packet_at(c, k, i);
            uint8_t hdr[3] = { (uint8_t)(p->len >> 8), (uint8_t)p->len,
                               (uint8_t)p->marker };
            EVP_DigestUpdate(ctx, hdr, sizeof hdr);
            EVP_DigestUpdate(ctx, p->data, p->len);
        }
    EVP_DigestFinal_ex(ctx, md, &mdlen);
    EVP_MD_CTX_free(ctx);
    for (unsigned i = 0; i < 32; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
}

const char *vpeer_kind_name(vpeer_kind k)
{
    return k == VPEER_AUDIO ? "audio" : "video";
}

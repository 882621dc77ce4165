/*
 * A Node-API binding to the two calls of libjpeg-turbo's TurboJPEG API the worker's JPEG fast
 * path needs (system/worker/jpeg-fast-path.ts says why the path exists):
 *
 *   header(jpeg)                  -> { width, height, colorspace }          (synchronous, cheap)
 *   decode(jpeg, denom, rgbOut)   -> Promise<void>   RGB at 1/denom scale, on the libuv pool
 *
 * Decoding runs off the event loop, like sharp's own work. The caller allocates the output
 * Buffer (so V8 accounts for its memory and the pool of Buffers stays in JavaScript's hands)
 * and both Buffers are pinned by references until the work completes.
 *
 * Decoding is strict: a libjpeg warning (a truncated or corrupt stream) fails the call, as
 * sharp's `failOn: 'warning'` does, and progressive images are limited to 500 scans (a
 * crafted file cannot make a decode quadratic). Built by scripts/build-native.sh.
 */
#include <node_api.h>
#include <turbojpeg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FLAGS (TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS)

#define CHECK(env, call)                                                      \
  do {                                                                        \
    if ((call) != napi_ok) {                                                  \
      napi_throw_error((env), "ERR_TURBOJPEG_NAPI", "Node-API call failed: " #call); \
      return NULL;                                                            \
    }                                                                         \
  } while (0)

typedef struct {
  napi_async_work work;
  napi_deferred deferred;
  napi_ref input_ref, output_ref;
  const unsigned char *input;
  size_t input_len;
  unsigned char *output;
  size_t output_len;
  int denom;
  char error[256];
} decode_job;

static napi_value throw_tj(napi_env env, tjhandle tj) {
  napi_throw_error(env, "ERR_TURBOJPEG", tjGetErrorStr2(tj));
  return NULL;
}

static napi_value buffer_arg(napi_env env, napi_value v, void **data, size_t *len) {
  bool is_buffer = false;
  CHECK(env, napi_is_buffer(env, v, &is_buffer));
  if (!is_buffer) {
    napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "expected a Buffer");
    return NULL;
  }
  CHECK(env, napi_get_buffer_info(env, v, data, len));
  return v;
}

static napi_value set_int(napi_env env, napi_value obj, const char *name, int value) {
  napi_value v;
  CHECK(env, napi_create_int32(env, value, &v));
  CHECK(env, napi_set_named_property(env, obj, name, v));
  return obj;
}

static const char *colorspace_name(int cs) {
  switch (cs) {
    case TJCS_RGB: return "rgb";
    case TJCS_YCbCr: return "ycbcr";
    case TJCS_GRAY: return "gray";
    case TJCS_CMYK: return "cmyk";
    case TJCS_YCCK: return "ycck";
    default: return "unknown";
  }
}

static napi_value header(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], result, cs;
  void *data;
  size_t len;
  int width, height, subsamp, colorspace;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 1 || !buffer_arg(env, argv[0], &data, &len)) return NULL;
  tjhandle tj = tjInitDecompress();
  if (!tj) return throw_tj(env, NULL);
  int rc = tjDecompressHeader3(tj, data, (unsigned long)len, &width, &height, &subsamp, &colorspace);
  if (rc != 0) {
    napi_throw_error(env, "ERR_TURBOJPEG", tjGetErrorStr2(tj));
    tjDestroy(tj);
    return NULL;
  }
  tjDestroy(tj);
  CHECK(env, napi_create_object(env, &result));
  if (!set_int(env, result, "width", width) || !set_int(env, result, "height", height)) return NULL;
  CHECK(env, napi_create_string_utf8(env, colorspace_name(colorspace), NAPI_AUTO_LENGTH, &cs));
  CHECK(env, napi_set_named_property(env, result, "colorspace", cs));
  return result;
}

/* On a libuv pool thread: no JavaScript here. */
static void decode_execute(napi_env env, void *arg) {
  (void)env;
  decode_job *job = arg;
  int width, height, subsamp, colorspace;
  tjhandle tj = tjInitDecompress();
  if (!tj) {
    snprintf(job->error, sizeof job->error, "%s", tjGetErrorStr2(NULL));
    return;
  }
  if (tjDecompressHeader3(tj, job->input, (unsigned long)job->input_len, &width, &height, &subsamp, &colorspace) != 0) {
    snprintf(job->error, sizeof job->error, "%s", tjGetErrorStr2(tj));
  } else {
    tjscalingfactor f = {1, job->denom};
    int w = TJSCALED(width, f), h = TJSCALED(height, f);
    if ((size_t)w * (size_t)h * 3 != job->output_len) {
      snprintf(job->error, sizeof job->error, "output buffer holds %zu bytes, %dx%d RGB needs %zu", job->output_len, w, h, (size_t)w * h * 3);
    } else if (tjDecompress2(tj, job->input, (unsigned long)job->input_len, job->output, w, 0, h, TJPF_RGB, FLAGS) != 0) {
      snprintf(job->error, sizeof job->error, "%s", tjGetErrorStr2(tj));
    }
  }
  tjDestroy(tj);
}

static void decode_complete(napi_env env, napi_status status, void *arg) {
  decode_job *job = arg;
  napi_value undefined, message, code, error;
  if (status == napi_ok && job->error[0] == '\0') {
    napi_get_undefined(env, &undefined);
    napi_resolve_deferred(env, job->deferred, undefined);
  } else {
    napi_create_string_utf8(env, job->error[0] ? job->error : "decode cancelled", NAPI_AUTO_LENGTH, &message);
    napi_create_string_utf8(env, "ERR_TURBOJPEG", NAPI_AUTO_LENGTH, &code);
    napi_create_error(env, code, message, &error);
    napi_reject_deferred(env, job->deferred, error);
  }
  napi_delete_reference(env, job->input_ref);
  napi_delete_reference(env, job->output_ref);
  napi_delete_async_work(env, job->work);
  free(job);
}

static napi_value decode(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3], promise, name;
  void *input, *output;
  size_t input_len, output_len;
  int32_t denom;
  CHECK(env, napi_get_cb_info(env, info, &argc, argv, NULL, NULL));
  if (argc < 3 || !buffer_arg(env, argv[0], &input, &input_len) || !buffer_arg(env, argv[2], &output, &output_len)) return NULL;
  CHECK(env, napi_get_value_int32(env, argv[1], &denom));
  if (denom != 1 && denom != 2 && denom != 4 && denom != 8) {
    napi_throw_range_error(env, "ERR_OUT_OF_RANGE", "denom must be 1, 2, 4 or 8");
    return NULL;
  }
  decode_job *job = calloc(1, sizeof *job);
  if (!job) {
    napi_throw_error(env, "ERR_TURBOJPEG", "out of memory");
    return NULL;
  }
  job->input = input;
  job->input_len = input_len;
  job->output = output;
  job->output_len = output_len;
  job->denom = denom;
  CHECK(env, napi_create_reference(env, argv[0], 1, &job->input_ref));
  CHECK(env, napi_create_reference(env, argv[2], 1, &job->output_ref));
  CHECK(env, napi_create_promise(env, &job->deferred, &promise));
  CHECK(env, napi_create_string_utf8(env, "nines:turbojpeg-decode", NAPI_AUTO_LENGTH, &name));
  CHECK(env, napi_create_async_work(env, NULL, name, decode_execute, decode_complete, job, &job->work));
  CHECK(env, napi_queue_async_work(env, job->work));
  return promise;
}

NAPI_MODULE_INIT() {
  napi_value fn;
  CHECK(env, napi_create_function(env, "header", NAPI_AUTO_LENGTH, header, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "header", fn));
  CHECK(env, napi_create_function(env, "decode", NAPI_AUTO_LENGTH, decode, NULL, &fn));
  CHECK(env, napi_set_named_property(env, exports, "decode", fn));
  return exports;
}

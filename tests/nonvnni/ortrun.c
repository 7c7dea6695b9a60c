/*
 * ortrun: runs an ONNX model with ONNX Runtime's own native library through its C API, one sample at a time, and
 * writes the outputs as .npy. It exists so the same libonnxruntime.so the product ships can be run under
 * `qemu-x86_64 -cpu Haswell`: MLAS picks its kernels from CPUID when the library loads, so under that emulated CPU
 * (AVX2 + FMA, no AVX-512, no VNNI) it runs the u8 x s8 kernels a CPU without VNNI runs, saturation included.
 *
 * usage: ortrun MODEL --in X.npy [--in Y.npy ...] --out A.npy [--out B.npy ...] [--threads N] [--opt all|extended|basic|none]
 *        ortrun --cpu       (prints the CPU features this process sees, then exits)
 * Inputs are matched to the model's inputs in order; each has the batch as its first dimension and is fed one sample
 * (a slice of the first dimension, kept as a batch of 1) per run, so batch-1 kernels are the ones measured. Each
 * output's per-sample results are concatenated along the first dimension. Little-endian C-order .npy (v1/v2) only.
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnxruntime_c_api.h"

#define MAX_IO 16

static const OrtApi *ort;

static void die(const char *what, const char *detail) {
  fprintf(stderr, "ortrun: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
  exit(2);
}

static void check(OrtStatus *status) {
  if (status == NULL) return;
  fprintf(stderr, "ortrun: onnxruntime: %s\n", ort->GetErrorMessage(status));
  ort->ReleaseStatus(status);
  exit(3);
}

/* What MLAS's dispatch looks at (leaf 1 and leaf 7), read the same way, so a run's log shows which CPU it saw. */
static void print_cpu(FILE *to) {
  unsigned a, b, c, d, b7 = 0, c7 = 0, d7 = 0, a71 = 0;
  __cpuid(1, a, b, c, d);
  int fma = (c >> 12) & 1, avx = (c >> 28) & 1;
  if (__get_cpuid_max(0, NULL) >= 7) {
    __cpuid_count(7, 0, a, b7, c7, d7);
    unsigned b71, c71, d71;
    __cpuid_count(7, 1, a71, b71, c71, d71);
  }
  fprintf(to, "cpu: avx=%d fma=%d avx2=%d avx512f=%d avx512bw=%d avx512vnni=%d avxvnni=%d\n", avx, fma,
          (b7 >> 5) & 1, (b7 >> 16) & 1, (b7 >> 30) & 1, (c7 >> 11) & 1, (a71 >> 4) & 1);
}

typedef struct {
  char descr[8];
  ONNXTensorElementDataType type;
  size_t item;
  int64_t shape[8];
  size_t rank;
  size_t count; /* elements */
  unsigned char *data;
} Array;

static const struct {
  const char *descr;
  ONNXTensorElementDataType type;
  size_t item;
} kTypes[] = {
    {"<f4", ONNX_TENSOR_ELEMENT_DATA_TYPE_FLOAT, 4}, {"<f8", ONNX_TENSOR_ELEMENT_DATA_TYPE_DOUBLE, 8},
    {"<i8", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT64, 8}, {"<i4", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT32, 4},
    {"|u1", ONNX_TENSOR_ELEMENT_DATA_TYPE_UINT8, 1}, {"|i1", ONNX_TENSOR_ELEMENT_DATA_TYPE_INT8, 1},
    {"|b1", ONNX_TENSOR_ELEMENT_DATA_TYPE_BOOL, 1},
};

static int type_of_descr(const char *descr, Array *a) {
  for (size_t i = 0; i < sizeof kTypes / sizeof kTypes[0]; i++)
    if (strcmp(kTypes[i].descr, descr) == 0) {
      a->type = kTypes[i].type;
      a->item = kTypes[i].item;
      strcpy(a->descr, descr);
      return 1;
    }
  return 0;
}

static int descr_of_type(ONNXTensorElementDataType type, Array *a) {
  for (size_t i = 0; i < sizeof kTypes / sizeof kTypes[0]; i++)
    if (kTypes[i].type == type) {
      a->type = type;
      a->item = kTypes[i].item;
      strcpy(a->descr, kTypes[i].descr);
      return 1;
    }
  return 0;
}

static void read_npy(const char *path, Array *a) {
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open", path);
  unsigned char magic[8];
  if (fread(magic, 1, 8, f) != 8 || memcmp(magic, "\x93NUMPY", 6) != 0) die("not a .npy file", path);
  uint32_t hlen = 0;
  unsigned char len[4] = {0};
  if (magic[6] == 1) {
    if (fread(len, 1, 2, f) != 2) die("truncated .npy header", path);
    hlen = len[0] | (len[1] << 8);
  } else {
    if (fread(len, 1, 4, f) != 4) die("truncated .npy header", path);
    hlen = len[0] | (len[1] << 8) | (len[2] << 16) | ((uint32_t)len[3] << 24);
  }
  char *header = calloc(hlen + 1, 1);
  if (fread(header, 1, hlen, f) != hlen) die("truncated .npy header", path);
  char *descr = strstr(header, "'descr'");
  if (!descr || strstr(header, "'fortran_order': True")) die("need a C-order .npy", path);
  char d[8] = {0};
  if (sscanf(descr, "'descr': '%7[^']'", d) != 1 || !type_of_descr(d, a)) die("unsupported dtype in", path);
  char *shape = strstr(header, "'shape'");
  if (!shape || !(shape = strchr(shape, '('))) die("no shape in", path);
  a->rank = 0;
  a->count = 1;
  for (char *p = shape + 1; *p && *p != ')';) {
    char *end;
    long long v = strtoll(p, &end, 10);
    if (end == p) {
      p++;
      continue;
    }
    if (a->rank == 8) die("rank above 8 in", path);
    a->shape[a->rank++] = v;
    a->count *= (size_t)v;
    p = end;
  }
  free(header);
  a->data = malloc(a->count * a->item + 1);
  if (fread(a->data, a->item, a->count, f) != a->count) die("truncated .npy data", path);
  fclose(f);
}

static void write_npy(const char *path, const Array *a) {
  char header[256];
  int n = snprintf(header, sizeof header, "{'descr': '%s', 'fortran_order': False, 'shape': (", a->descr);
  for (size_t i = 0; i < a->rank; i++) n += snprintf(header + n, sizeof header - n, "%lld,%s", (long long)a->shape[i],
                                                      i + 1 < a->rank ? " " : "");
  n += snprintf(header + n, sizeof header - n, "), }");
  int total = 10 + n + 1, pad = (64 - total % 64) % 64; /* header padded to 64 bytes and ended by '\n' */
  FILE *f = fopen(path, "wb");
  if (!f) die("cannot write", path);
  unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, 0, 0};
  uint16_t hlen = (uint16_t)(n + pad + 1);
  pre[8] = hlen & 0xff;
  pre[9] = hlen >> 8;
  fwrite(pre, 1, 10, f);
  fwrite(header, 1, n, f);
  for (int i = 0; i < pad; i++) fputc(' ', f);
  fputc('\n', f);
  if (fwrite(a->data, a->item, a->count, f) != a->count) die("short write", path);
  fclose(f);
}

int main(int argc, char **argv) {
  if (argc == 2 && strcmp(argv[1], "--cpu") == 0) {
    print_cpu(stdout);
    return 0;
  }
  const char *model = NULL, *ins[MAX_IO], *outs[MAX_IO];
  size_t nin = 0, nout = 0;
  int threads = 1;
  GraphOptimizationLevel opt = ORT_ENABLE_ALL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--in") == 0 && i + 1 < argc && nin < MAX_IO) ins[nin++] = argv[++i];
    else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && nout < MAX_IO) outs[nout++] = argv[++i];
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
    else if (strcmp(argv[i], "--opt") == 0 && i + 1 < argc) {
      const char *o = argv[++i];
      opt = strcmp(o, "none") == 0 ? ORT_DISABLE_ALL : strcmp(o, "basic") == 0 ? ORT_ENABLE_BASIC
            : strcmp(o, "extended") == 0 ? ORT_ENABLE_EXTENDED : ORT_ENABLE_ALL;
    } else if (!model && argv[i][0] != '-') model = argv[i];
    else die("unknown or incomplete argument", argv[i]);
  }
  if (!model || nin == 0 || nout == 0)
    die("usage: ortrun MODEL --in X.npy [--in ...] --out Y.npy [--out ...] [--threads N] [--opt all|extended|basic|none]",
        NULL);
  print_cpu(stderr);

  ort = OrtGetApiBase()->GetApi(ORT_API_VERSION);
  if (!ort) die("this libonnxruntime does not serve the C API version ortrun was built against", NULL);
  OrtEnv *env;
  check(ort->CreateEnv(ORT_LOGGING_LEVEL_WARNING, "ortrun", &env));
  OrtSessionOptions *options;
  check(ort->CreateSessionOptions(&options));
  check(ort->SetIntraOpNumThreads(options, threads));
  check(ort->SetInterOpNumThreads(options, 1));
  check(ort->SetSessionExecutionMode(options, ORT_SEQUENTIAL));
  check(ort->SetSessionGraphOptimizationLevel(options, opt));
  OrtSession *session;
  check(ort->CreateSession(env, model, options, &session));
  OrtAllocator *allocator;
  check(ort->GetAllocatorWithDefaultOptions(&allocator));

  size_t model_in, model_out;
  check(ort->SessionGetInputCount(session, &model_in));
  check(ort->SessionGetOutputCount(session, &model_out));
  if (model_in != nin) die("the number of --in files differs from the model's inputs", NULL);
  if (nout > model_out) die("more --out files than the model has outputs", NULL);
  char *in_names[MAX_IO], *out_names[MAX_IO];
  for (size_t i = 0; i < nin; i++) check(ort->SessionGetInputName(session, i, allocator, &in_names[i]));
  for (size_t i = 0; i < nout; i++) check(ort->SessionGetOutputName(session, i, allocator, &out_names[i]));

  Array in[MAX_IO], out[MAX_IO];
  memset(out, 0, sizeof out);
  int64_t samples = -1;
  for (size_t i = 0; i < nin; i++) {
    read_npy(ins[i], &in[i]);
    if (in[i].rank == 0) die("an input needs a batch dimension", ins[i]);
    if (samples >= 0 && in[i].shape[0] != samples) die("inputs differ in their first dimension", ins[i]);
    samples = in[i].shape[0];
  }
  OrtMemoryInfo *memory;
  check(ort->CreateCpuMemoryInfo(OrtArenaAllocator, OrtMemTypeDefault, &memory));

  for (int64_t s = 0; s < samples; s++) {
    OrtValue *feeds[MAX_IO], *fetched[MAX_IO] = {0};
    for (size_t i = 0; i < nin; i++) {
      int64_t shape[8];
      memcpy(shape, in[i].shape, sizeof shape);
      shape[0] = 1;
      size_t bytes = in[i].count / (size_t)samples * in[i].item;
      check(ort->CreateTensorWithDataAsOrtValue(memory, in[i].data + (size_t)s * bytes, bytes, shape, in[i].rank,
                                                in[i].type, &feeds[i]));
    }
    check(ort->Run(session, NULL, (const char *const *)in_names, (const OrtValue *const *)feeds, nin,
                   (const char *const *)out_names, nout, fetched));
    for (size_t o = 0; o < nout; o++) {
      OrtTensorTypeAndShapeInfo *info;
      check(ort->GetTensorTypeAndShape(fetched[o], &info));
      ONNXTensorElementDataType type;
      size_t rank, count;
      int64_t shape[8];
      check(ort->GetTensorElementType(info, &type));
      check(ort->GetDimensionsCount(info, &rank));
      if (rank > 8) die("an output of rank above 8", out_names[o]);
      check(ort->GetDimensions(info, shape, rank));
      check(ort->GetTensorShapeElementCount(info, &count));
      ort->ReleaseTensorTypeAndShapeInfo(info);
      if (s == 0) {
        if (!descr_of_type(type, &out[o])) die("unsupported output type", out_names[o]);
        out[o].rank = rank == 0 ? 1 : rank;
        memcpy(out[o].shape, shape, sizeof shape);
        if (rank == 0) out[o].shape[0] = 1;
        out[o].count = count * (size_t)samples;
        out[o].shape[0] *= samples;
        out[o].data = malloc(out[o].count * out[o].item);
      } else if (out[o].count != count * (size_t)samples) {
        die("an output's size changed between samples", out_names[o]);
      }
      void *data;
      check(ort->GetTensorMutableData(fetched[o], &data));
      memcpy(out[o].data + (size_t)s * count * out[o].item, data, count * out[o].item);
      ort->ReleaseValue(fetched[o]);
    }
    for (size_t i = 0; i < nin; i++) ort->ReleaseValue(feeds[i]);
  }
  for (size_t o = 0; o < nout; o++) write_npy(outs[o], &out[o]);
  fprintf(stderr, "ortrun: %lld samples, %zu outputs written\n", (long long)samples, nout);
  return 0;
}

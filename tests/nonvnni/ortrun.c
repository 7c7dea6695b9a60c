/*
 * ortrun: runs an ONNX model with ONNX Runtime's own native library through its C API, one sample at a time, and
 * writes the outputs as .npy. It exists so the same libonnxruntime.so the product ships can be run under
 * `qemu-x86_64 -cpu Haswell`: MLAS picks its kernels from CPUID when the library loads, so under that emulated CPU
 * (AVX2 + FMA, no AVX-512, no VNNI) it runs the u8 x s8 kernels a CPU without VNNI runs, saturation included.
 *
 * --mask-cpuid avx2 gets the same kernels natively, at this core's speed: --library must then name a copy of the
 * library whose `cpuid` instructions patch_cpuid.py turned into `ud2` (its sites listed in LIBRARY.cpuid-sites). The
 * SIGILL handler runs the real CPUID for each listed site and clears AVX-512, AVX-VNNI, AVX512-BF16, AVX-VNNI-INT8 and
 * friends, AVX10 and AMX, so every feature check in the library (MLAS, cpuinfo, ORT's CPUIDInfo) sees an AVX2 + FMA CPU.
 * The library is loaded with dlopen after the handler is installed, because its static constructors already ask CPUID.
 *
 * usage: ortrun MODEL --in X.npy [--in Y.npy ...] [--out A.npy ...] [--threads N] [--opt all|extended|basic|none]
 *               [--library LIB.so] [--mask-cpuid avx2] [--time R] [--profile PREFIX]
 *        ortrun [--library LIB.so] [--mask-cpuid avx2] --cpu   (prints the CPU features the library sees, then exits)
 * Inputs are matched to the model's inputs in order; each has the batch as its first dimension and is fed one sample
 * (a slice of the first dimension, kept as a batch of 1) per run, so batch-1 kernels are the ones measured. Each
 * output's per-sample results are concatenated along the first dimension. Little-endian C-order .npy (v1/v2) only.
 * --time R: after the first pass over the inputs (the warm-up; it writes the --out files), R more passes, and one JSON
 * line on stdout with each pass's wall and CPU milliseconds. --profile PREFIX: ONNX Runtime's profiler (all passes);
 * the file's name is printed on stderr (profile.py sums it per op type).
 */
#include <cpuid.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

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

/* The CPUID mask: which feature bits an AVX2 + FMA CPU without AVX-512 and without any VNNI lacks. */
static int mask_avx2;

static void mask_cpuid(unsigned leaf, unsigned subleaf, unsigned r[4]) {
  if (!mask_avx2 || leaf != 7) return;
  if (subleaf == 0) {
    /* EBX: AVX512 F, DQ, IFMA, PF, ER, CD, BW, VL. ECX: VBMI, VBMI2, VNNI, BITALG, VPOPCNTDQ.
       EDX: 4VNNIW, 4FMAPS, VP2INTERSECT, FP16; AMX-BF16, AMX-TILE, AMX-INT8. */
    r[1] &= ~(1u << 16 | 1u << 17 | 1u << 21 | 1u << 26 | 1u << 27 | 1u << 28 | 1u << 30 | 1u << 31);
    r[2] &= ~(1u << 1 | 1u << 6 | 1u << 11 | 1u << 12 | 1u << 14);
    r[3] &= ~(1u << 2 | 1u << 3 | 1u << 8 | 1u << 23 | 1u << 22 | 1u << 24 | 1u << 25);
  } else if (subleaf == 1) {
    /* EAX: AVX-VNNI, AVX512-BF16. EDX: AVX-VNNI-INT8, AVX-NE-CONVERT, AVX-VNNI-INT16, AVX10. */
    r[0] &= ~(1u << 4 | 1u << 5);
    r[3] &= ~(1u << 4 | 1u << 5 | 1u << 10 | 1u << 19);
  }
}

static void cpuid(unsigned leaf, unsigned subleaf, unsigned r[4]) {
  __cpuid_count(leaf, subleaf, r[0], r[1], r[2], r[3]);
  mask_cpuid(leaf, subleaf, r);
}

/* The patched library: its path as /proc/self/maps names it, its load base, the sorted addresses of its cpuid sites. */
static char lib_path[4096];
static uintptr_t lib_base;
static uintptr_t *sites;
static volatile sig_atomic_t *site_hits;
static size_t nsites;
static volatile sig_atomic_t traps;
static char maps[1 << 20];

/* The load base (the start of the mapping at file offset 0), read from /proc/self/maps with async-signal-safe calls
   only: the first traps come from the library's static constructors, inside dlopen, before dlopen tells anything. */
static uintptr_t find_base(void) {
  int fd = open("/proc/self/maps", O_RDONLY);
  if (fd < 0) return 0;
  size_t n = 0;
  ssize_t got;
  while (n < sizeof maps - 1 && (got = read(fd, maps + n, sizeof maps - 1 - n)) > 0) n += (size_t)got;
  close(fd);
  maps[n] = 0;
  for (char *line = maps; *line;) {
    char *end = strchr(line, '\n');
    if (end) *end = 0;
    /* start-end perms offset dev inode path */
    char *path = strchr(line, '/');
    if (path && strcmp(path, lib_path) == 0) {
      char *p = line;
      uintptr_t start = 0;
      for (; *p && *p != '-'; p++) start = start * 16 + (uintptr_t)(*p <= '9' ? *p - '0' : (*p | 0x20) - 'a' + 10);
      char *offset = strchr(strchr(line, ' ') + 1, ' ') + 1;
      int zero = 1;
      for (; *offset && *offset != ' '; offset++) zero &= *offset == '0';
      if (zero) return start;
    }
    if (!end) break;
    line = end + 1;
  }
  return 0;
}

/* The index of the listed site at RIP, or -1. */
static long site_at(uintptr_t rip) {
  if (!lib_base) lib_base = find_base();
  if (!lib_base || rip < lib_base) return -1;
  uintptr_t at = rip - lib_base;
  size_t lo = 0, hi = nsites;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (sites[mid] < at) lo = mid + 1;
    else hi = mid;
  }
  return lo < nsites && sites[lo] == at ? (long)lo : -1;
}

static void on_sigill(int sig, siginfo_t *info, void *context) {
  (void)info;
  ucontext_t *uc = context;
  greg_t *g = uc->uc_mcontext.gregs;
  const unsigned char *at = (const unsigned char *)g[REG_RIP];
  long site = site_at((uintptr_t)at);
  if (site < 0 || at[0] != 0x0f || at[1] != 0x0b) {
    signal(sig, SIG_DFL); /* not ours: returning re-executes the instruction, which now kills as SIGILL would */
    return;
  }
  unsigned r[4];
  cpuid((unsigned)g[REG_RAX], (unsigned)g[REG_RCX], r);
  /* CPUID writes 32 bits and clears the upper halves of RAX, RBX, RCX, RDX. */
  g[REG_RAX] = r[0];
  g[REG_RBX] = r[1];
  g[REG_RCX] = r[2];
  g[REG_RDX] = r[3];
  g[REG_RIP] += 2;
  traps++;
  site_hits[site]++;
}

static void install_mask(const char *library) {
  if (!realpath(library, lib_path)) die("cannot resolve the library's path", library);
  char list[4200];
  snprintf(list, sizeof list, "%s.cpuid-sites", library);
  FILE *f = fopen(list, "r");
  if (!f) die("no list of patched cpuid sites (run patch_cpuid.py)", list);
  size_t capacity = 64;
  sites = malloc(capacity * sizeof *sites);
  unsigned long long site;
  while (fscanf(f, "%llx", &site) == 1) {
    if (nsites == capacity) sites = realloc(sites, (capacity *= 2) * sizeof *sites);
    sites[nsites++] = (uintptr_t)site;
  }
  fclose(f);
  if (nsites == 0) die("empty list of cpuid sites", list);
  site_hits = calloc(nsites, sizeof *site_hits);
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_sigaction = on_sigill;
  action.sa_flags = SA_SIGINFO | SA_NODEFER;
  sigemptyset(&action.sa_mask);
  if (sigaction(SIGILL, &action, NULL) != 0) die("cannot install the SIGILL handler", NULL);
  mask_avx2 = 1;
}

/* What MLAS's dispatch looks at (leaf 1 and leaf 7), read the same way and through the same mask as the library's
   trapped CPUIDs, so a run's log shows which CPU the library saw. */
static void print_cpu(FILE *to) {
  unsigned r1[4], r7[4] = {0}, r71[4] = {0};
  cpuid(1, 0, r1);
  if (__get_cpuid_max(0, NULL) >= 7) {
    cpuid(7, 0, r7);
    cpuid(7, 1, r71);
  }
  fprintf(to, "cpu: avx=%d fma=%d avx2=%d avx512f=%d avx512bw=%d avx512vnni=%d avxvnni=%d avxvnniint8=%d amx=%d%s\n",
          (r1[2] >> 28) & 1, (r1[2] >> 12) & 1, (r7[1] >> 5) & 1, (r7[1] >> 16) & 1, (r7[1] >> 30) & 1,
          (r7[2] >> 11) & 1, (r71[0] >> 4) & 1, (r71[3] >> 4) & 1, (r7[3] >> 24) & 1,
          mask_avx2 ? " (cpuid masked to avx2)" : "");
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

static double now_ms(clockid_t clock) {
  struct timespec t;
  clock_gettime(clock, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

int main(int argc, char **argv) {
  const char *model = NULL, *ins[MAX_IO], *outs[MAX_IO], *library = ORTRUN_LIBRARY, *profile = NULL, *mask = NULL;
  size_t nin = 0, nout = 0;
  int threads = 1, repetitions = 0, cpu_only = 0;
  GraphOptimizationLevel opt = ORT_ENABLE_ALL;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--in") == 0 && i + 1 < argc && nin < MAX_IO) ins[nin++] = argv[++i];
    else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc && nout < MAX_IO) outs[nout++] = argv[++i];
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
    else if (strcmp(argv[i], "--library") == 0 && i + 1 < argc) library = argv[++i];
    else if (strcmp(argv[i], "--mask-cpuid") == 0 && i + 1 < argc) mask = argv[++i];
    else if (strcmp(argv[i], "--time") == 0 && i + 1 < argc) repetitions = atoi(argv[++i]);
    else if (strcmp(argv[i], "--profile") == 0 && i + 1 < argc) profile = argv[++i];
    else if (strcmp(argv[i], "--cpu") == 0) cpu_only = 1;
    else if (strcmp(argv[i], "--opt") == 0 && i + 1 < argc) {
      const char *o = argv[++i];
      opt = strcmp(o, "none") == 0 ? ORT_DISABLE_ALL : strcmp(o, "basic") == 0 ? ORT_ENABLE_BASIC
            : strcmp(o, "extended") == 0 ? ORT_ENABLE_EXTENDED : ORT_ENABLE_ALL;
    } else if (!model && argv[i][0] != '-') model = argv[i];
    else die("unknown or incomplete argument", argv[i]);
  }
  if (mask && strcmp(mask, "avx2") != 0) die("--mask-cpuid knows only avx2", mask);
  if (!cpu_only && (!model || nin == 0 || (nout == 0 && repetitions == 0)))
    die("usage: ortrun MODEL --in X.npy [--in ...] [--out Y.npy ...] [--threads N] [--opt all|extended|basic|none] "
        "[--library LIB.so] [--mask-cpuid avx2] [--time R] [--profile PREFIX]", NULL);
  if (mask) install_mask(library);
  void *handle = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!handle) die("cannot load ONNX Runtime", dlerror());
  const OrtApiBase *(*get_api_base)(void) = (const OrtApiBase *(*)(void))dlsym(handle, "OrtGetApiBase");
  if (!get_api_base) die("no OrtGetApiBase in", library);
  if (cpu_only) {
    print_cpu(stdout);
    if (mask) printf("cpuid: %zu sites patched, %d trapped and masked while loading the library\n", nsites, (int)traps);
    return 0;
  }
  print_cpu(stderr);

  ort = get_api_base()->GetApi(ORT_API_VERSION);
  if (!ort) die("this libonnxruntime does not serve the C API version ortrun was built against", NULL);
  OrtEnv *env;
  check(ort->CreateEnv(ORT_LOGGING_LEVEL_WARNING, "ortrun", &env));
  OrtSessionOptions *options;
  check(ort->CreateSessionOptions(&options));
  check(ort->SetIntraOpNumThreads(options, threads));
  check(ort->SetInterOpNumThreads(options, 1));
  check(ort->SetSessionExecutionMode(options, ORT_SEQUENTIAL));
  check(ort->SetSessionGraphOptimizationLevel(options, opt));
  if (profile) check(ort->EnableProfiling(options, profile));
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
  /* Timing without --out still fetches every output, as an application would. */
  size_t nfetch = nout ? nout : model_out < MAX_IO ? model_out : MAX_IO;
  for (size_t i = 0; i < nfetch; i++) check(ort->SessionGetOutputName(session, i, allocator, &out_names[i]));

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

  double *wall = calloc((size_t)repetitions + 1, sizeof *wall), *cpu = calloc((size_t)repetitions + 1, sizeof *cpu);
  for (int pass = 0; pass <= repetitions; pass++) {
    double wall0 = now_ms(CLOCK_MONOTONIC), cpu0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
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
                     (const char *const *)out_names, nfetch, fetched));
      for (size_t o = 0; o < nfetch; o++) {
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
        if (!out[o].data) {
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
    wall[pass] = now_ms(CLOCK_MONOTONIC) - wall0;
    cpu[pass] = now_ms(CLOCK_PROCESS_CPUTIME_ID) - cpu0;
  }
  for (size_t o = 0; o < nout; o++) write_npy(outs[o], &out[o]);
  fprintf(stderr, "ortrun: %lld samples, %zu outputs written\n", (long long)samples, nout);
  if (mask) {
    size_t hit = 0;
    for (size_t i = 0; i < nsites; i++) hit += site_hits[i] > 0;
    fprintf(stderr, "ortrun: %d cpuid traps masked, at %zu of the %zu patched sites:", (int)traps, hit, nsites);
    for (size_t i = 0; i < nsites; i++)
      if (site_hits[i]) fprintf(stderr, " %lx", (unsigned long)sites[i]);
    fprintf(stderr, "\n");
  }
  if (profile) {
    char *file;
    check(ort->SessionEndProfiling(session, allocator, &file));
    fprintf(stderr, "ortrun: profile %s\n", file);
  }
  if (repetitions > 0) {
    printf("{\"model\": \"%s\", \"cpuid\": \"%s\", \"samples\": %lld, \"warmup_ms\": %.3f, \"wall_ms\": [", model,
           mask ? mask : "native", (long long)samples, wall[0]);
    for (int r = 1; r <= repetitions; r++) printf("%s%.3f", r > 1 ? ", " : "", wall[r]);
    printf("], \"cpu_ms\": [");
    for (int r = 1; r <= repetitions; r++) printf("%s%.3f", r > 1 ? ", " : "", cpu[r]);
    printf("]}\n");
  }
  return 0;
}

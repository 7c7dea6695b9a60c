using CompressBuild.Benchmarks;

return BenchmarkCli.Run(args);

// In-process micro-benchmarks. Examples (from the repository root):
//   dotnet run -c Release --project bench/Interprocess.Benchmarks -- --filter '*'
//   dotnet run -c Release --project bench/Interprocess.Benchmarks -- --list flat
using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(Interprocess.Benchmarks.Memory.MappedRegionBenchmarks).Assembly).Run(args);

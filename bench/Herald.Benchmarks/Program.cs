using BenchmarkDotNet.Running;
using Herald.Benchmarks;

if (args is ["--allocations", var benchmark, var invocations])
{
    await AllocationSampler.RunAsync(benchmark, int.Parse(invocations, System.Globalization.CultureInfo.InvariantCulture));
    return;
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

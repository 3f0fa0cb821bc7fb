using BenchmarkDotNet.Running;
using Herald.Benchmarks;

if (args is ["--allocations", var benchmark, var invocations])
{
    await AllocationSampler.RunAsync(benchmark, int.Parse(invocations, System.Globalization.CultureInfo.InvariantCulture));
    return 0;
}

if (args is ["--fuzz", var count])
{
    return await FuzzRun.RunAsync(long.Parse(count, System.Globalization.CultureInfo.InvariantCulture));
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;

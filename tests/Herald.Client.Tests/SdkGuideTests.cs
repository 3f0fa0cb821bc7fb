using Herald.Testing;

namespace Herald.Client.Tests;

/// <summary>docs/sdk.md's C# blocks, each a whole file, compile together against Herald.Client: the guide cannot rot.</summary>
public sealed class SdkGuideTests
{
    [Fact]
    public void Every_csharp_block_in_the_guide_compiles()
    {
        var (blocks, errors) = GuideCompiler.Compile(Path.Combine(AppContext.BaseDirectory, "docs", "sdk.md"));

        Assert.True(blocks >= 8, $"Found only {blocks} C# blocks.");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}

using Herald.Testing;

namespace Herald.EventSourcing.Tests;

/// <summary>docs/event-sourcing.md's C# blocks compile together against Herald.EventSourcing: the guide cannot rot.</summary>
public sealed class GuideTests
{
    [Fact]
    public void Every_csharp_block_in_the_guide_compiles()
    {
        var (blocks, errors) = GuideCompiler.Compile(Path.Combine(AppContext.BaseDirectory, "docs", "event-sourcing.md"));

        Assert.True(blocks >= 3, $"Found only {blocks} C# blocks.");
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }
}

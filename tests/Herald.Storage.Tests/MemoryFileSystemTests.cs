namespace Herald.Storage.Tests;

/// <summary>The power-cut tests are only as good as this model of a disk, so the model is tested too.</summary>
public sealed class MemoryFileSystemTests
{
    [Fact]
    public void A_power_cut_keeps_flushed_bytes_and_loses_the_rest()
    {
        var fileSystem = new MemoryFileSystem();
        fileSystem.CreateDirectory("/d");
        using (var file = fileSystem.OpenOrCreate("/d/a"))
        {
            file.Write(0, "durable"u8);
            file.Flush();
            file.Write(7, "-volatile"u8);
        }

        fileSystem.SyncDirectory("/d");
        var after = fileSystem.SimulatePowerLoss();

        Assert.Equal("durable"u8.ToArray(), ReadAll(after, "/d/a"));
        Assert.Equal("durable-volatile"u8.ToArray(), ReadAll(fileSystem, "/d/a"));
    }

    [Fact]
    public void A_power_cut_with_torn_writes_keeps_a_prefix_of_the_unflushed_tail()
    {
        var fileSystem = new MemoryFileSystem();
        fileSystem.CreateDirectory("/d");
        using (var file = fileSystem.OpenOrCreate("/d/a"))
        {
            file.Write(0, "0123"u8);
            file.Flush();
            file.Write(4, "456789"u8);
        }

        fileSystem.SyncDirectory("/d");
        var lengths = Enumerable.Range(0, 40).Select(seed => ReadAll(fileSystem.SimulatePowerLoss(new Random(seed)), "/d/a")).ToList();

        Assert.All(lengths, bytes => Assert.Equal("0123456789"u8[..bytes.Length].ToArray(), bytes));
        Assert.Contains(lengths, bytes => bytes.Length == 4);
        Assert.Contains(lengths, bytes => bytes.Length > 4 && bytes.Length < 10);
    }

    [Fact]
    public void Creations_renames_and_deletions_survive_a_power_cut_only_after_the_directory_is_synced()
    {
        var fileSystem = new MemoryFileSystem();
        fileSystem.CreateDirectory("/d");
        Write(fileSystem, "/d/kept");
        Write(fileSystem, "/d/doomed");
        fileSystem.SyncDirectory("/d");
        Write(fileSystem, "/d/unsynced");
        fileSystem.DeleteFile("/d/doomed");

        var beforeSync = fileSystem.SimulatePowerLoss();
        fileSystem.MoveFile("/d/kept", "/d/renamed");
        fileSystem.SyncDirectory("/d");
        var afterSync = fileSystem.SimulatePowerLoss();

        Assert.Equal(["doomed", "kept"], beforeSync.ListFiles("/d").Order());
        Assert.Equal(["renamed", "unsynced"], afterSync.ListFiles("/d").Order());
    }

    private static void Write(MemoryFileSystem fileSystem, string path)
    {
        using var file = fileSystem.OpenOrCreate(path);
        file.Write(0, "x"u8);
        file.Flush();
    }

    private static byte[] ReadAll(ILogFileSystem fileSystem, string path)
    {
        using var file = fileSystem.OpenOrCreate(path);
        var bytes = new byte[file.Length];
        file.Read(0, bytes);
        return bytes;
    }
}

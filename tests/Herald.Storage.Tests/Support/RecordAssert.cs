namespace Herald.Storage.Tests.Support;

internal static class RecordAssert
{
    /// <summary>Asserts that a decoded record carries exactly what was added, byte for byte, nulls distinct from empties.</summary>
    public static void Matches(TestRecord expected, long expectedOffset, long expectedTimestamp, Record actual)
    {
        Assert.Equal(expectedOffset, actual.Offset);
        Assert.Equal(expectedTimestamp, actual.Timestamp);
        Assert.Equal(expected.Key, actual.Key?.ToArray());
        Assert.Equal(expected.Value, actual.Value?.ToArray());
        Assert.Equal(expected.Headers.Length, actual.Headers.Count);
        for (int i = 0; i < expected.Headers.Length; i++)
        {
            Assert.Equal(expected.Headers[i].Key, actual.Headers[i].Key);
            Assert.Equal(expected.Headers[i].Value, actual.Headers[i].Value?.ToArray());
        }
    }

    /// <summary>Asserts a whole CreateTime batch decoded back to <paramref name="expected"/>, offsets counting up from <paramref name="baseOffset"/>.</summary>
    public static void AllMatch(IReadOnlyList<TestRecord> expected, long baseOffset, IReadOnlyList<Record> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        for (int i = 0; i < expected.Count; i++)
        {
            Matches(expected[i], baseOffset + i, expected[i].Timestamp, actual[i]);
        }
    }
}

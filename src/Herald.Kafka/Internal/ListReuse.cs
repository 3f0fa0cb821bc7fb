namespace Herald.Kafka.Internal;

/// <summary>Refills a list that a reused message already holds, keeping its elements.</summary>
internal static class ListReuse
{
    /// <summary>The element at <paramref name="index"/>, added when the list is shorter; its old values are still set.</summary>
    public static T Slot<T>(this List<T> list, int index)
        where T : new()
    {
        if (index < list.Count)
        {
            return list[index];
        }

        var added = new T();
        list.Add(added);
        return added;
    }

    /// <summary>Drops the elements from <paramref name="count"/> on.</summary>
    public static void TrimTo<T>(this List<T> list, int count)
    {
        if (list.Count > count)
        {
            list.RemoveRange(count, list.Count - count);
        }
    }
}

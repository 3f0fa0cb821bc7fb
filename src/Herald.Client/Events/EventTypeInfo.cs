namespace Herald.Client;

/// <summary>An event type as Herald sees it.</summary>
/// <param name="Type">The C# type.</param>
/// <param name="Name">Its wire name and current version.</param>
/// <param name="Key">Reads the key from an event, when the type has one.</param>
internal sealed record EventTypeInfo(Type Type, EventTypeName Name, Func<object, string?>? Key);

namespace Herald.Client;

/// <summary>Marks the property whose value is the event's key (its subject): events with one key keep their order.</summary>
[AttributeUsage(AttributeTargets.Property, Inherited = false)]
public sealed class EventKeyAttribute : Attribute;

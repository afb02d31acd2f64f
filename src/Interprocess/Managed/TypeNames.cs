namespace Interprocess.Managed;

/// <summary>Stable type names (no assembly versions), see <see cref="TypeDescriptor{T}"/>.</summary>
internal static class TypeNames
{
    /// <summary>Namespace.Type, nested types with '+', generic arguments in brackets.</summary>
    internal static string Stable(Type type)
    {
        if (type.IsGenericType && !type.IsGenericTypeDefinition)
        {
            var definition = type.GetGenericTypeDefinition();
            return (definition.FullName ?? definition.Name) + "[" + string.Join(",", type.GetGenericArguments().Select(Stable)) + "]";
        }

        return type.FullName ?? type.Name;
    }
}

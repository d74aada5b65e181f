using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using Xunit;
using Xunit.Abstractions;

namespace WeChatNet.ModuleTests
{
    /// <summary>
    /// The core's public surface is what the cmdlets output or take (docs/architecture.md, "The core's public
    /// surface"): read from metadata, every public type of WeChatNet.Core.dll must be reachable from the module's
    /// public types (cmdlets, their parameters and output types, completers, attributes), following public and
    /// protected members, base types, element and generic argument types; everything else is internal, seen by the
    /// module, tests and benchmarks through InternalsVisibleTo. What must stay public for another reason is listed
    /// below, each entry with its reason.
    /// </summary>
    public sealed class PublicSurfaceTests
    {
        private readonly ITestOutputHelper _output;
        public PublicSurfaceTests(ITestOutputHelper output) { _output = output; }

        /// <summary>Public core types no cmdlet reaches that must stay public all the same, each with the reason.</summary>
        private static readonly Dictionary<string, string> AllowedPublic = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // The Pester suites and the documentation-example tests build the captures they need in PowerShell:
            // [WeChatNet.WeChat.SampleCaptureGenerator]::Generate('mixed-traffic').File (tests/pester/*.Tests.ps1).
            ["WeChatNet.WeChat.SampleCaptureGenerator"] = "Pester suites generate test captures with it",
            ["WeChatNet.WeChat.SampleCapture"] = "what SampleCaptureGenerator.Generate returns",
            ["WeChatNet.WeChat.ExpectedMessage"] = "SampleCapture.Expected",
        };

        /// <summary>
        /// Exceptions the core throws travel to users inside ErrorRecords, where scripts catch them by type
        /// (<c>catch [WeChatNet.IpIntel.MmdbFormatException]</c>) and read their members: every public exception type
        /// is a root of the surface, like a cmdlet's output type.
        /// </summary>
        private static bool IsException(Type t)
        {
            for (var b = t.BaseType; b != null; b = b.BaseType)
                if (b.FullName == "System.Exception") return true;
            return false;
        }

        internal static HashSet<Type> Reachable(Assembly module, Assembly core)
        {
            var seen = new HashSet<Type>();
            var queue = new Queue<Type>();
            void Add(Type? t)
            {
                while (t != null && (t.IsArray || t.IsByRef || t.IsPointer)) t = t.GetElementType();
                if (t is null) return;
                if (t.IsGenericType && !t.IsGenericTypeDefinition)
                {
                    foreach (var a in t.GetGenericArguments()) Add(a);
                    t = t.GetGenericTypeDefinition();
                }
                if (t.IsGenericParameter) return;
                if (seen.Add(t)) queue.Enqueue(t);
            }
            foreach (var t in module.GetTypes().Where(t => t.IsPublic || t.IsNestedPublic))
            {
                Add(t);
                // [OutputType(typeof(...))] names what a cmdlet writes: attribute arguments, not members.
                foreach (var attr in t.GetCustomAttributesData().Where(d => d.AttributeType.FullName == "System.Management.Automation.OutputTypeAttribute"))
                    foreach (var arg in attr.ConstructorArguments)
                    {
                        if (arg.Value is Type one) Add(one);
                        else if (arg.Value is System.Collections.Generic.IEnumerable<CustomAttributeTypedArgument> many)
                            foreach (var x in many) if (x.Value is Type tt) Add(tt);
                    }
            }
            foreach (var t in core.GetTypes().Where(t => t.IsVisible && IsException(t))) Add(t);
            const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            while (queue.Count > 0)
            {
                var t = queue.Dequeue();
                if (!(t.Assembly == module || t.Assembly.GetName().Name == "WeChatNet.Core")) continue;
                Add(t.BaseType);
                foreach (var i in t.GetInterfaces()) Add(i);
                foreach (var n in t.GetNestedTypes(BindingFlags.Public | BindingFlags.NonPublic)) if (n.IsNestedPublic || n.IsNestedFamily || n.IsNestedFamORAssem) Add(n);
                foreach (var p in t.GetProperties(all))
                    if (new[] { p.GetMethod, p.SetMethod }.Any(m => m != null && (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly))) Add(p.PropertyType);
                foreach (var f in t.GetFields(all)) if (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) Add(f.FieldType);
                foreach (var m in t.GetMethods(all).Cast<MethodBase>().Concat(t.GetConstructors(all)))
                {
                    if (!(m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly)) continue;
                    if (m is MethodInfo mi) Add(mi.ReturnType);
                    foreach (var p in m.GetParameters()) Add(p.ParameterType);
                }
                foreach (var e in t.GetEvents(all)) if (e.AddMethod != null && (e.AddMethod.IsPublic || e.AddMethod.IsFamily)) Add(e.EventHandlerType);
            }
            return seen;
        }

        [Fact]
        public void EveryPublicCoreTypeIsReachableFromACmdlet()
        {
            using var context = ModuleContract.CreateContext(Repo.Module);
            var module = context.LoadFromAssemblyPath(Repo.Module.AssemblyPath);
            var core = context.LoadFromAssemblyPath(Path.Combine(Path.GetDirectoryName(Repo.Module.AssemblyPath)!, "WeChatNet.Core.dll"));
            var reachable = Reachable(module, core);
            var publicCore = core.GetTypes().Where(t => t.IsVisible).ToList();
            var notReachable = publicCore.Where(t => !reachable.Contains(t) && !AllowedPublic.ContainsKey(t.FullName!))
                .Select(t => t.FullName!).OrderBy(n => n, StringComparer.Ordinal).ToList();
            _output.WriteLine($"WeChatNet.Core: {publicCore.Count} public types, {publicCore.Count(reachable.Contains)} reachable from the module's public types, " +
                $"{publicCore.Count(IsException)} exceptions, {AllowedPublic.Count} allowed by name.");
            foreach (var n in notReachable) _output.WriteLine("  public but unreachable: " + n);
            Assert.NotEmpty(publicCore);
            var stale = AllowedPublic.Keys.Where(n => !publicCore.Any(t => t.FullName == n) || reachable.Contains(publicCore.First(t => t.FullName == n))).ToList();
            Assert.True(stale.Count == 0, "allow-list entries that are not public or are reachable anyway (remove them): " + string.Join(", ", stale));
            Assert.True(notReachable.Count == 0,
                $"{notReachable.Count} public core type(s) no cmdlet outputs or takes: make them internal (the module, tests and benchmarks see internals), " +
                "or add them to the allow-list with the reason:\n" + string.Join("\n", notReachable));
        }
    }
}

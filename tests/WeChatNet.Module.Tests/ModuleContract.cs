using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.RegularExpressions;
using System.Xml;
using System.Xml.Linq;

namespace WeChatNet.ModuleTests
{
    /// <summary>Where a module's parts are: the assembly, its manifest, format file, help pages and Pester files.</summary>
    public sealed record ModuleLayout(
        string AssemblyPath,
        string ManifestPath,
        string FormatPath,
        string DocsDirectory,
        string PesterDirectory,
        string SmaPath);

    /// <summary>A cmdlet as read from metadata.</summary>
    public sealed record CmdletInfo(string Verb, string Noun, Type Type, string? DefaultParameterSet,
        IReadOnlyList<string> OutputTypes, IReadOnlyList<ParameterInfoRecord> Parameters)
    {
        public string Name => Verb + "-" + Noun;
    }

    public sealed record ParameterInfoRecord(string Name, string SetName, bool Mandatory, int Position,
        bool FromPipeline, bool FromPipelineByPropertyName)
    {
        /// <summary>The [Alias] names of the property, in declared order.</summary>
        public IReadOnlyList<string> Aliases { get; init; } = Array.Empty<string>();
        /// <summary>The property's type (full name), e.g. System.TimeSpan.</summary>
        public string TypeName { get; init; } = "";
        /// <summary>Full names of the property's attributes other than [Parameter] and [Alias].</summary>
        public IReadOnlyList<string> Attributes { get; init; } = Array.Empty<string>();
        /// <summary>Values of a [ValidateSet] on the property, if any.</summary>
        public IReadOnlyList<string> ValidateSet { get; init; } = Array.Empty<string>();
        /// <summary>[Parameter(DontShow = true)]: a compatibility parameter kept for old scripts.</summary>
        public bool DontShow { get; init; }
    }

    /// <summary>
    /// Checks a binary module's contract from metadata alone (System.Reflection.MetadataLoadContext), so it runs
    /// where no PowerShell engine can. Returns one message per violation; an empty list means the contract holds.
    /// </summary>
    public static class ModuleContract
    {
        public const string AllSets = "__AllParameterSets";
        private const string Sma = "System.Management.Automation.";

        public static IReadOnlyList<string> Check(ModuleLayout layout)
        {
            var problems = new List<string>();
            using var context = CreateContext(layout);
            var assembly = context.LoadFromAssemblyPath(layout.AssemblyPath);
            var approved = ApprovedVerbs(context.LoadFromAssemblyPath(layout.SmaPath));
            var cmdlets = ReadCmdlets(assembly);
            if (cmdlets.Count == 0) problems.Add($"{Path.GetFileName(layout.AssemblyPath)}: no cmdlet classes found.");

            foreach (var c in cmdlets)
            {
                if (!c.Type.IsPublic) problems.Add($"{c.Name}: class {c.Type.FullName} is not public.");
                if (!c.Type.IsSealed) problems.Add($"{c.Name}: class {c.Type.FullName} is not sealed.");
                if (!approved.Contains(c.Verb)) problems.Add($"{c.Name}: verb '{c.Verb}' is not an approved PowerShell verb.");
                if (c.OutputTypes.Count == 0) problems.Add($"{c.Name}: no [OutputType] attribute.");
                problems.AddRange(CheckParameterSets(c));
                problems.AddRange(CheckVocabulary(c));
            }

            problems.AddRange(CheckManifest(layout, cmdlets));
            var views = CheckFormatFile(layout, context, assembly, problems);
            foreach (var c in cmdlets)
                foreach (var t in c.OutputTypes)
                    if (!views.Contains(t)) problems.Add($"{c.Name}: output type {t} has no table view in {Path.GetFileName(layout.FormatPath)}.");
            foreach (var c in cmdlets) problems.AddRange(CheckHelp(layout, c));
            problems.AddRange(CheckPester(layout, cmdlets));
            return problems;
        }

        public static MetadataLoadContext CreateContext(ModuleLayout layout)
        {
            string runtimeDir = Path.GetDirectoryName(typeof(object).Assembly.Location)!;
            var paths = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var p in Directory.GetFiles(runtimeDir, "*.dll")) paths[Path.GetFileName(p)] = p;
            foreach (var p in Directory.GetFiles(Path.GetDirectoryName(layout.AssemblyPath)!, "*.dll"))
                if (!paths.ContainsKey(Path.GetFileName(p))) paths[Path.GetFileName(p)] = p;
            paths["System.Management.Automation.dll"] = layout.SmaPath;
            return new MetadataLoadContext(new PathAssemblyResolver(paths.Values));
        }

        public static IReadOnlyList<CmdletInfo> ReadCmdlets(Assembly assembly)
        {
            var result = new List<CmdletInfo>();
            foreach (var type in assembly.GetTypes())
            {
                var cmdletAttr = type.GetCustomAttributesData().FirstOrDefault(a => a.AttributeType.FullName == Sma + "CmdletAttribute");
                if (cmdletAttr is null) continue;
                string verb = (string)cmdletAttr.ConstructorArguments[0].Value!;
                string noun = (string)cmdletAttr.ConstructorArguments[1].Value!;
                string? defaultSet = cmdletAttr.NamedArguments.Where(n => n.MemberName == "DefaultParameterSetName")
                    .Select(n => (string?)n.TypedValue.Value).FirstOrDefault();
                var outputs = new List<string>();
                foreach (var o in type.GetCustomAttributesData().Where(a => a.AttributeType.FullName == Sma + "OutputTypeAttribute"))
                    foreach (var arg in o.ConstructorArguments)
                        if (arg.Value is IEnumerable<CustomAttributeTypedArgument> items)
                            foreach (var item in items) outputs.Add(item.Value is Type t ? t.FullName! : item.Value?.ToString() ?? "");
                var parameters = new List<ParameterInfoRecord>();
                foreach (var prop in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
                {
                    var attributes = prop.GetCustomAttributesData();
                    var aliases = attributes.Where(a => a.AttributeType.FullName == Sma + "AliasAttribute")
                        .SelectMany(a => a.ConstructorArguments)
                        .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => (string)i.Value!) : new[] { (string)arg.Value! })
                        .ToList();
                    var validateSet = attributes.Where(a => a.AttributeType.FullName == Sma + "ValidateSetAttribute")
                        .SelectMany(a => a.ConstructorArguments)
                        .SelectMany(arg => arg.Value is IEnumerable<CustomAttributeTypedArgument> items ? items.Select(i => (string)i.Value!) : new[] { arg.Value?.ToString() ?? "" })
                        .ToList();
                    var others = attributes.Select(a => a.AttributeType.FullName!)
                        .Where(n => n != Sma + "ParameterAttribute" && n != Sma + "AliasAttribute").Distinct().ToList();
                    var propertyType = Nullable.GetUnderlyingType(prop.PropertyType) ?? prop.PropertyType;
                    foreach (var p in attributes.Where(a => a.AttributeType.FullName == Sma + "ParameterAttribute"))
                    {
                        T Named<T>(string name, T fallback) =>
                            p.NamedArguments.Where(n => n.MemberName == name).Select(n => (T)n.TypedValue.Value!).DefaultIfEmpty(fallback).First();
                        parameters.Add(new ParameterInfoRecord(prop.Name, Named("ParameterSetName", AllSets), Named("Mandatory", false),
                            Named("Position", int.MinValue), Named("ValueFromPipeline", false), Named("ValueFromPipelineByPropertyName", false))
                        {
                            Aliases = aliases,
                            TypeName = propertyType.FullName ?? propertyType.Name,
                            Attributes = others,
                            ValidateSet = validateSet,
                            DontShow = Named("DontShow", false),
                        });
                    }
                }
                result.Add(new CmdletInfo(verb, noun, type, defaultSet, outputs, parameters));
            }
            return result.OrderBy(c => c.Name, StringComparer.Ordinal).ToList();
        }

        private static HashSet<string> ApprovedVerbs(Assembly sma)
        {
            var verbs = new HashSet<string>(StringComparer.Ordinal);
            foreach (var name in new[] { "VerbsCommon", "VerbsCommunications", "VerbsData", "VerbsDiagnostic", "VerbsLifecycle", "VerbsOther", "VerbsSecurity" })
            {
                var type = sma.GetType(Sma + name, throwOnError: true)!;
                foreach (var f in type.GetFields(BindingFlags.Public | BindingFlags.Static).Where(f => f.IsLiteral))
                    verbs.Add((string)f.GetRawConstantValue()!);
            }
            return verbs;
        }

        /// <summary>
        /// Parameter sets must be tellable apart: no two sets with the same members, and with several sets either a
        /// default set that exists, or every set owning a mandatory parameter no other set has. Positions are unique per set.
        /// </summary>
        public static IEnumerable<string> CheckParameterSets(CmdletInfo c)
        {
            var named = c.Parameters.Select(p => p.SetName).Where(s => s != AllSets).Distinct().ToList();
            if (named.Count == 0) named.Add(AllSets);
            var members = named.ToDictionary(s => s, s => c.Parameters.Where(p => p.SetName == s || p.SetName == AllSets).ToList());
            foreach (var set in named)
            {
                foreach (var g in members[set].Where(p => p.Position != int.MinValue).GroupBy(p => p.Position).Where(g => g.Select(p => p.Name).Distinct().Count() > 1))
                    yield return $"{c.Name}: parameters {string.Join(", ", g.Select(p => "-" + p.Name))} share position {g.Key} in set '{set}'.";
                var pipeByValue = members[set].Where(p => p.FromPipeline).Select(p => p.Name).Distinct().ToList();
                if (pipeByValue.Count > 1)
                    yield return $"{c.Name}: set '{set}' takes pipeline input by value into several parameters ({string.Join(", ", pipeByValue)}).";
            }
            if (named.Count < 2) yield break;
            if (c.DefaultParameterSet != null && !named.Contains(c.DefaultParameterSet))
                yield return $"{c.Name}: DefaultParameterSetName '{c.DefaultParameterSet}' is not one of its parameter sets.";
            for (int i = 0; i < named.Count; i++)
                for (int j = i + 1; j < named.Count; j++)
                {
                    var a = new HashSet<string>(members[named[i]].Select(p => p.Name));
                    var b = new HashSet<string>(members[named[j]].Select(p => p.Name));
                    if (a.SetEquals(b)) yield return $"{c.Name}: parameter sets '{named[i]}' and '{named[j]}' have the same parameters.";
                }
            if (c.DefaultParameterSet is null)
            {
                foreach (var set in named)
                {
                    bool owns = members[set].Any(p => p.Mandatory && p.SetName == set &&
                        named.Where(o => o != set).All(o => !members[o].Any(q => q.Name == p.Name)));
                    if (!owns)
                        yield return $"{c.Name}: parameter sets are ambiguous: set '{set}' has no mandatory parameter of its own and there is no DefaultParameterSetName.";
                }
            }
        }

        private static readonly HashSet<string> Numeric = new HashSet<string>(StringComparer.Ordinal)
        {
            "System.Int16", "System.Int32", "System.Int64", "System.UInt16", "System.UInt32", "System.UInt64", "System.Double", "System.Single", "System.Decimal",
        };

        /// <summary>
        /// The vocabulary of docs/conventions.md, as far as metadata shows it: durations are TimeSpan with the duration
        /// transformation, sizes are bytes, closed sets are enums, a wildcard -Path has a -LiteralPath, -InputObject is the
        /// pipeline object, switches are SwitchParameter. A parameter kept only for old scripts is [Parameter(DontShow = true)].
        /// </summary>
        public static IEnumerable<string> CheckVocabulary(CmdletInfo c)
        {
            foreach (var p in c.Parameters.GroupBy(p => p.Name).Select(g => g.First()))
            {
                bool visible = !c.Parameters.Where(q => q.Name == p.Name).All(q => q.DontShow);
                if (p.TypeName == "System.TimeSpan" && !p.Attributes.Any(a => a.EndsWith(".DurationTransformationAttribute", StringComparison.Ordinal)))
                    yield return $"{c.Name}: -{p.Name} is a TimeSpan without [DurationTransformation] (a plain number would be ticks); see docs/conventions.md.";
                if (visible && Numeric.Contains(p.TypeName) && Regex.IsMatch(p.Name, "(Sec|Seconds|Ms|Milliseconds|Minutes|Hours)$"))
                    yield return $"{c.Name}: -{p.Name} is a duration as a number with a unit in its name; durations are TimeSpan parameters with [DurationTransformation] (docs/conventions.md).";
                if (visible && Numeric.Contains(p.TypeName) && Regex.IsMatch(p.Name, "(KB|MB|GB|TB|Bytes)$"))
                    yield return $"{c.Name}: -{p.Name} is a size with a unit in its name; sizes are Int64 bytes named ...Size (docs/conventions.md).";
                if (p.ValidateSet.Count > 0)
                    yield return $"{c.Name}: -{p.Name} is a [ValidateSet] over strings ({string.Join(", ", p.ValidateSet)}); closed sets are enums (docs/conventions.md).";
                if (p.TypeName == "System.Boolean")
                    yield return $"{c.Name}: -{p.Name} is a Boolean; on/off parameters are SwitchParameter (docs/conventions.md).";
                if (p.Name == "InputObject" && !c.Parameters.Any(q => q.Name == "InputObject" && q.FromPipeline))
                    yield return $"{c.Name}: -InputObject does not take the pipeline object by value; -InputObject is only the pipeline object (docs/conventions.md).";
                if (p.Name == "Path" && p.Attributes.Any(a => a.EndsWith(".SupportsWildcardsAttribute", StringComparison.Ordinal)))
                {
                    var literal = c.Parameters.FirstOrDefault(q => q.Name == "LiteralPath");
                    if (literal is null || !literal.Aliases.Contains("PSPath") || !literal.Aliases.Contains("LP") || !literal.FromPipelineByPropertyName)
                        yield return $"{c.Name}: -Path takes wildcards but there is no -LiteralPath (aliases PSPath, LP; by property name) beside it (docs/conventions.md).";
                    foreach (var alias in p.Aliases.Where(a => a == "FullName" || a == "PSPath"))
                        yield return $"{c.Name}: the wildcard -Path has the alias {alias}, which binds file names from Get-ChildItem as patterns; it belongs to -LiteralPath.";
                }
            }
        }

        public static IReadOnlyList<string> ManifestList(string manifestText, string key)
        {
            var m = Regex.Match(manifestText, @"(?m)^\s*" + Regex.Escape(key) + @"\s*=\s*(@\((?<list>[^)]*)\)|(?<list>'[^']*'))");
            if (!m.Success) return Array.Empty<string>();
            return Regex.Matches(m.Groups["list"].Value, @"'([^']*)'|""([^""]*)""")
                .Select(x => x.Groups[1].Success ? x.Groups[1].Value : x.Groups[2].Value).ToList();
        }

        private static IEnumerable<string> CheckManifest(ModuleLayout layout, IReadOnlyList<CmdletInfo> cmdlets)
        {
            string manifestName = Path.GetFileName(layout.ManifestPath);
            if (!File.Exists(layout.ManifestPath)) { yield return $"{manifestName}: manifest not found."; yield break; }
            string text = File.ReadAllText(layout.ManifestPath);
            var exported = ManifestList(text, "CmdletsToExport");
            if (exported.Any(e => e.Contains('*'))) yield return $"{manifestName}: CmdletsToExport uses a wildcard; list every cmdlet.";
            var names = new HashSet<string>(cmdlets.Select(c => c.Name));
            foreach (var c in names.Where(n => !exported.Contains(n))) yield return $"{c}: not listed in {manifestName} CmdletsToExport.";
            foreach (var e in exported.Where(e => !e.Contains('*') && !names.Contains(e))) yield return $"{manifestName}: CmdletsToExport lists '{e}', which is no cmdlet in the assembly.";
            var root = ManifestList(text, "RootModule");
            if (root.Count != 1 || !string.Equals(root[0], Path.GetFileName(layout.AssemblyPath), StringComparison.OrdinalIgnoreCase))
                yield return $"{manifestName}: RootModule must be {Path.GetFileName(layout.AssemblyPath)}.";
            if (!ManifestList(text, "FormatsToProcess").Contains(Path.GetFileName(layout.FormatPath)))
                yield return $"{manifestName}: FormatsToProcess does not list {Path.GetFileName(layout.FormatPath)}.";
        }

        /// <summary>Validates the format file and returns the type names that have a table view.</summary>
        private static HashSet<string> CheckFormatFile(ModuleLayout layout, MetadataLoadContext context, Assembly assembly, List<string> problems)
        {
            var tables = new HashSet<string>(StringComparer.Ordinal);
            string name = Path.GetFileName(layout.FormatPath);
            XDocument doc;
            try
            {
                using var reader = XmlReader.Create(layout.FormatPath, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
                doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
            }
            catch (Exception e) when (e is XmlException || e is IOException)
            {
                problems.Add($"{name}: not a well-formed format file: {e.Message}");
                return tables;
            }
            var moduleDir = Path.GetDirectoryName(layout.AssemblyPath)!;
            var assemblies = new List<Assembly> { assembly };
            foreach (var dll in Directory.GetFiles(moduleDir, "*.dll").Where(p => !string.Equals(p, layout.AssemblyPath, StringComparison.OrdinalIgnoreCase)))
            {
                try { assemblies.Add(context.LoadFromAssemblyPath(dll)); } catch (BadImageFormatException) { } catch (FileLoadException) { }
            }
            // "Deserialized.X" (how remoting and Import-Clixml name X) has X's properties.
            Type? Find(string typeName)
            {
                if (typeName.StartsWith("Deserialized.", StringComparison.Ordinal)) typeName = typeName.Substring("Deserialized.".Length);
                return assemblies.Select(a => a.GetType(typeName, throwOnError: false)).FirstOrDefault(t => t != null);
            }

            foreach (var view in doc.Descendants("View"))
            {
                string viewName = (string?)view.Element("Name") ?? "(unnamed)";
                var typeNames = view.Element("ViewSelectedBy")?.Elements("TypeName").Select(t => t.Value.Trim()).ToList() ?? new List<string>();
                if (typeNames.Count == 0) { problems.Add($"{name}: view '{viewName}' selects no type."); continue; }
                foreach (var typeName in typeNames)
                {
                    var type = Find(typeName);
                    if (type is null) { problems.Add($"{name}: view '{viewName}' names type {typeName}, which the module does not define."); continue; }
                    var table = view.Element("TableControl");
                    var items = view.Descendants("PropertyName").Select(p => p.Value.Trim());
                    foreach (var prop in items)
                        if (type.GetProperty(prop, BindingFlags.Public | BindingFlags.Instance) is null)
                            problems.Add($"{name}: view '{viewName}' uses property '{prop}', which {typeName} does not have.");
                    if (table != null)
                    {
                        int headers = table.Element("TableHeaders")?.Elements("TableColumnHeader").Count() ?? 0;
                        foreach (var row in table.Descendants("TableColumnItems"))
                            if (row.Elements("TableColumnItem").Count() != headers)
                                problems.Add($"{name}: view '{viewName}' has {headers} column headers but {row.Elements("TableColumnItem").Count()} column items.");
                        tables.Add(typeName);
                    }
                }
            }
            return tables;
        }

        private static readonly Regex Section = new Regex(@"^##\s+(?<name>[A-Z ]+)\s*$", RegexOptions.Multiline);

        public static IEnumerable<string> CheckHelp(ModuleLayout layout, CmdletInfo c)
        {
            string path = Path.Combine(layout.DocsDirectory, c.Name + ".md");
            if (!File.Exists(path)) { yield return $"{c.Name}: no help page {Path.GetFileName(layout.DocsDirectory)}/{c.Name}.md."; yield break; }
            string text = File.ReadAllText(path).Replace("\r\n", "\n");
            var sections = Section.Matches(text).Select(m => (Name: m.Groups["name"].Value.Trim(), m.Index)).ToList();
            string Body(string section)
            {
                int i = sections.FindIndex(s => s.Name == section);
                if (i < 0) return "";
                int end = i + 1 < sections.Count ? sections[i + 1].Index : text.Length;
                return text.Substring(sections[i].Index, end - sections[i].Index);
            }
            foreach (var required in new[] { "SYNOPSIS", "PARAMETERS", "EXAMPLES", "OUTPUTS" })
                if (!sections.Any(s => s.Name == required)) yield return $"{c.Name}: help page has no {required} section.";
            int examples = Regex.Matches(Body("EXAMPLES"), @"^###\s+Example", RegexOptions.Multiline).Count;
            if (sections.Any(s => s.Name == "EXAMPLES") && examples < 2) yield return $"{c.Name}: help page has {examples} example(s); at least two are required.";
            string outputs = Body("OUTPUTS");
            foreach (var t in c.OutputTypes.Where(t => sections.Any(s => s.Name == "OUTPUTS") && !outputs.Contains(t)))
                yield return $"{c.Name}: help page OUTPUTS does not name {t}.";

            // Parameters: every declared one documented, no phantom ones, and pipeline input as declared.
            string parametersBody = Body("PARAMETERS");
            var documented = Regex.Matches(parametersBody, @"^###\s+-(?<p>\w+)\s*$(?<body>(?:(?!^###)[\s\S])*)", RegexOptions.Multiline)
                .ToDictionary(m => m.Groups["p"].Value, m => m.Groups["body"].Value, StringComparer.OrdinalIgnoreCase);
            foreach (var group in c.Parameters.GroupBy(p => p.Name))
            {
                if (!documented.TryGetValue(group.Key, out var body)) { yield return $"{c.Name}: help page does not document -{group.Key}."; continue; }
                var pipe = Regex.Match(body, @"Accept pipeline input:\s*(?<v>.*)$", RegexOptions.Multiline);
                string declared = pipe.Success ? pipe.Groups["v"].Value : "";
                bool docByValue = declared.StartsWith("True", StringComparison.OrdinalIgnoreCase) && declared.Contains("ByValue");
                bool docByProp = declared.StartsWith("True", StringComparison.OrdinalIgnoreCase) && declared.Contains("ByPropertyName");
                bool byValue = group.Any(p => p.FromPipeline), byProp = group.Any(p => p.FromPipelineByPropertyName);
                // Aliases: Get-Help shows the page's list (build/MamlHelp.targets), so it must be the cmdlet's.
                var aliasLine = Regex.Match(body, @"^Aliases:[ \t]*(?<v>.*)$", RegexOptions.Multiline);
                var docAliases = aliasLine.Success ? aliasLine.Groups["v"].Value.Split(',').Select(a => a.Trim()).Where(a => a.Length > 0 && a != "None").ToList() : new List<string>();
                var codeAliases = group.First().Aliases;
                if (!docAliases.SequenceEqual(codeAliases, StringComparer.OrdinalIgnoreCase))
                    yield return $"{c.Name}: help page lists aliases '{string.Join(", ", docAliases)}' for -{group.Key}, but the cmdlet declares '{string.Join(", ", codeAliases)}'.";
                if (!pipe.Success) yield return $"{c.Name}: help page does not say whether -{group.Key} accepts pipeline input.";
                else if (docByValue != byValue || docByProp != byProp)
                    yield return $"{c.Name}: help page says -{group.Key} accepts pipeline input '{declared.Trim()}', but the cmdlet declares ByValue={byValue}, ByPropertyName={byProp}.";
            }
            foreach (var p in documented.Keys.Where(k => c.Parameters.All(p => !string.Equals(p.Name, k, StringComparison.OrdinalIgnoreCase))))
                yield return $"{c.Name}: help page documents -{p}, which the cmdlet does not have.";
        }

        private static IEnumerable<string> CheckPester(ModuleLayout layout, IReadOnlyList<CmdletInfo> cmdlets)
        {
            var files = Directory.Exists(layout.PesterDirectory)
                ? Directory.GetFiles(layout.PesterDirectory, "*.Tests.ps1", SearchOption.AllDirectories).Select(File.ReadAllText).ToList()
                : new List<string>();
            foreach (var c in cmdlets)
                if (!files.Any(f => f.Contains(c.Name))) yield return $"{c.Name}: no Pester file under {Path.GetFileName(layout.PesterDirectory)}/ names it.";
        }
    }
}

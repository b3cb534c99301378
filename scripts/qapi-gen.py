#!/usr/bin/env python3
"""
qapi-gen: read qcore's QAPI schema (qapi/*.json, QEMU's schema language)
and write the C that QMP is made of: types, visitors, command marshallers,
event senders and the introspection data of query-qmp-schema.
Corresponds to QEMU's scripts/qapi-gen.py and scripts/qapi/*.py, much
smaller: one pass builds the model, one function per output file.

    qapi-gen.py [-k h|c] [-p PREFIX] [-i INCLUDE-PREFIX] -o OUTDIR SCHEMA

writes (only the headers or only the sources with -k) OUTDIR/qapi-types.{c,h}, qapi-visit.{c,h}, qapi-events.{c,h},
qapi-introspect.{c,h}, qapi-commands.h, qapi-init-commands.c and one
qapi-commands-MODULE.c per schema file that defines commands (MODULE is
the file's base name), so each layer links the marshallers of the
commands it owns.
"""

import argparse
import os
import re
import sys

# ---- parsing: QEMU's schema syntax is JSON with 'single quotes', #
# comments and true/false, one top-level expression after another.

TOKEN = re.compile(r"\s+|#[^\n]*|'(?:[^'\\]|\\.)*'|[{}\[\]:,]|true|false")


class SchemaError(Exception):
    pass


def tokens(text, fname):
    pos = 0
    line = 1
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m:
            raise SchemaError('%s:%d: stray %r' % (fname, line, text[pos]))
        tok = m.group(0)
        if not tok[0].isspace() and tok[0] != '#':
            yield tok, line
        line += tok.count('\n')
        pos = m.end()


def parse_file(fname):
    with open(fname, encoding='utf-8') as f:
        toks = list(tokens(f.read(), fname))
    pos = 0

    def value():
        nonlocal pos
        tok, line = toks[pos]
        pos += 1
        if tok == '{':
            d = {}
            if toks[pos][0] == '}':
                pos += 1
                return d
            while True:
                key = value()
                if not isinstance(key, str) or toks[pos][0] != ':':
                    raise SchemaError('%s:%d: expected "key":' % (fname, line))
                pos += 1
                if key in d:
                    raise SchemaError('%s:%d: duplicate key %r'
                                      % (fname, line, key))
                d[key] = value()
                tok = toks[pos][0]
                pos += 1
                if tok == '}':
                    return d
                if tok != ',':
                    raise SchemaError('%s:%d: expected , or }' % (fname, line))
        if tok == '[':
            lst = []
            if toks[pos][0] == ']':
                pos += 1
                return lst
            while True:
                lst.append(value())
                tok = toks[pos][0]
                pos += 1
                if tok == ']':
                    return lst
                if tok != ',':
                    raise SchemaError('%s:%d: expected , or ]' % (fname, line))
        if tok[0] == "'":
            return tok[1:-1]
        if tok in ('true', 'false'):
            return tok == 'true'
        raise SchemaError('%s:%d: unexpected %r' % (fname, line, tok))

    exprs = []
    while pos < len(toks):
        line = toks[pos][1]
        e = value()
        if not isinstance(e, dict):
            raise SchemaError('%s:%d: expected an object' % (fname, line))
        exprs.append((e, fname, line))
    return exprs


def read_schema(fname, seen=None):
    """Every definition, following 'include', each tagged with its module."""
    seen = seen if seen is not None else set()
    fname = os.path.normpath(fname)
    if fname in seen:
        return []
    seen.add(fname)
    out = []
    for e, f, line in parse_file(fname):
        if 'include' in e:
            out += read_schema(os.path.join(os.path.dirname(fname),
                                            e['include']), seen)
        elif 'pragma' not in e:
            module = os.path.splitext(os.path.basename(f))[0]
            out.append((e, module, '%s:%d' % (f, line)))
    return out


# ---- names ---------------------------------------------------------------

C_KEYWORDS = set('''auto break case char const continue default do double
else enum extern float for goto if inline int long register restrict return
short signed sizeof static struct switch typedef union unsigned void volatile
while bool true false asm typeof unix'''.split())


def c_name(name, protect=True):
    name = re.sub(r'[^A-Za-z0-9_]', '_', name)
    if protect and (name in C_KEYWORDS or name[0].isdigit()):
        return 'q_' + name
    return name


def camel_to_upper(name):
    """RunState -> RUN_STATE, QMPCapability -> QMP_CAPABILITY."""
    s = c_name(name, False)
    out = ''
    for i, ch in enumerate(s):
        if ch.isupper() and i > 0 and s[i - 1] != '_':
            nxt_lower = i + 1 < len(s) and s[i + 1].islower()
            if nxt_lower or s[i - 1].isdigit() or s[i - 1].islower():
                out += '_'
        out += ch
    return out.upper()


def enum_const(enum, value, prefix=None):
    return (prefix or camel_to_upper(enum.name)) + '_' + \
        c_name(value, False).upper()


# ---- conditions ('if') -------------------------------------------------

def cond_c(cond):
    if cond is None:
        return None
    if isinstance(cond, str):
        return 'defined(%s)' % cond
    if 'not' in cond:
        return '!(%s)' % cond_c(cond['not'])
    op, parts = ('&&', cond['all']) if 'all' in cond else ('||', cond['any'])
    return '(' + (' %s ' % op).join(cond_c(p) for p in parts) + ')'


def wrap_if(cond, text):
    if not cond or not text:
        return text
    return '#if %s\n%s#endif\n' % (cond_c(cond), text)


# ---- the model -----------------------------------------------------------

class Type:
    meta = None
    builtin = False
    cond = None
    features = ()

    def c_type(self):           # as a member or variable
        return self.c_name + ' *'

    def c_param(self):          # as a command parameter
        return self.c_type()

    def is_pointer(self):
        return True


class Builtin(Type):
    builtin = True

    def __init__(self, name, c_type, json_type):
        self.name = name
        self.c_name = name
        self._c_type = c_type
        self.json_type = json_type

    def c_type(self):
        return self._c_type

    def c_param(self):
        return 'const char *' if self.name == 'str' else self._c_type

    def is_pointer(self):
        return self._c_type.endswith('*')


BUILTINS = [
    ('str', 'char *', 'string'), ('number', 'double', 'number'),
    ('int', 'int64_t', 'int'), ('int8', 'int8_t', 'int'),
    ('int16', 'int16_t', 'int'), ('int32', 'int32_t', 'int'),
    ('int64', 'int64_t', 'int'), ('uint8', 'uint8_t', 'int'),
    ('uint16', 'uint16_t', 'int'), ('uint32', 'uint32_t', 'int'),
    ('uint64', 'uint64_t', 'int'), ('size', 'uint64_t', 'int'),
    ('bool', 'bool', 'boolean'), ('any', 'QObject *', 'value'),
    ('null', 'QNull *', 'null'),
]


class Enum(Type):
    meta = 'enum'

    def __init__(self, name, values, prefix=None):
        self.name = name
        self.c_name = c_name(name)
        self.values = values        # [(name, cond, features)]
        self.prefix = prefix

    def c_type(self):
        return self.c_name

    def c_param(self):
        return self.c_name

    def is_pointer(self):
        return False

    def const(self, value):
        return enum_const(self, value, self.prefix)


class Array(Type):
    meta = 'array'

    def __init__(self, element):
        self.element = element
        self.name = '[%s]' % element.name
        self.c_name = element.c_name + 'List'


class Member:
    def __init__(self, name, typ, optional, cond=None, features=()):
        self.name = name
        self.c_name = c_name(name)
        self.type = typ
        self.optional = optional
        self.cond = cond
        self.features = features

    def has_flag(self):
        """QEMU: optional members that are not pointers get has_FOO."""
        return self.optional and not self.type.is_pointer()


class Object(Type):
    meta = 'object'

    def __init__(self, name, base=None, members=(), tag=None, variants=(),
                 implicit=False):
        self.name = name
        self.c_name = c_name(name)
        self.base = base            # Object or None
        self.local_members = list(members)
        self.tag = tag              # Member of the base, or None
        self.variants = list(variants)  # [(case, Object, cond)]
        self.implicit = implicit

    def members(self):
        return (self.base.members() if self.base else []) + \
            self.local_members

    def is_empty(self):
        return not self.members() and not self.variants


class Alternate(Type):
    meta = 'alternate'

    def __init__(self, name, variants):
        self.name = name
        self.c_name = c_name(name)
        self.variants = variants    # [(name, Type, cond)]


class Command:
    def __init__(self, name, arg_type, ret_type, boxed, opts, module):
        self.name = name
        self.c_name = c_name(name, False)
        self.arg_type = arg_type    # Object or None
        self.ret_type = ret_type    # Type or None
        self.boxed = boxed
        self.opts = opts            # the expression's other keys
        self.module = module


class Event:
    def __init__(self, name, arg_type, boxed, module):
        self.name = name
        self.c_name = c_name(name.lower(), False)
        self.arg_type = arg_type
        self.boxed = boxed
        self.module = module


class Schema:
    def __init__(self, fname):
        self.types = {n: Builtin(n, c, j) for n, c, j in BUILTINS}
        self.types['QType'] = Enum('QType', [(v, None, ()) for v in (
            'none', 'qnull', 'qnum', 'qstring', 'qdict', 'qlist', 'qbool')])
        self.types['QType'].builtin = True
        self.types['QType'].json_type = 'string'
        self.order = []             # user types, in definition order
        self.commands = []
        self.events = []
        self.modules = []
        self.empty = Object('q_empty', implicit=True)
        self.types['q_empty'] = self.empty
        exprs = read_schema(fname)
        # Types may be used before they are defined: two passes.
        for e, module, where in exprs:
            self._declare(e, where)
        for e, module, where in exprs:
            if module not in self.modules:
                self.modules.append(module)
            self._define(e, module, where)

    def _declare(self, e, where):
        for meta, cls in (('enum', Enum), ('struct', Object),
                          ('union', Object), ('alternate', Alternate)):
            if meta in e:
                name = e[meta]
                if name in self.types:
                    raise SchemaError('%s: %s defined twice' % (where, name))
                t = cls.__new__(cls)
                t.name, t.c_name = name, c_name(name)
                self.types[name] = t
                self.order.append(t)

    def lookup(self, ref, where):
        if isinstance(ref, list):
            elem = self.lookup(ref[0], where)
            key = '[%s]' % elem.name
            if key not in self.types:
                self.types[key] = Array(elem)
            return self.types[key]
        if ref not in self.types:
            raise SchemaError('%s: unknown type %r' % (where, ref))
        return self.types[ref]

    def _members(self, data, where):
        out = []
        for key, val in data.items():
            cond, feats = None, ()
            if isinstance(val, dict):
                cond, feats = val.get('if'), _features(val)
                val = val['type']
            optional = key.startswith('*')
            out.append(Member(key.lstrip('*'), self.lookup(val, where),
                              optional, cond, feats))
        return out

    def _implicit(self, name, data, where):
        """An inline 'data'/'base' dict becomes a q_obj_ type; a name is used
        as is; nothing is q_empty."""
        if data is None or data == {}:
            return self.empty
        if isinstance(data, str):
            return self.lookup(data, where)
        t = Object(name, members=self._members(data, where), implicit=True)
        self.types[name] = t
        self.order.append(t)
        return t

    def _define(self, e, module, where):
        cond = e.get('if')
        feats = _features(e)
        if 'enum' in e:
            t = self.types[e['enum']]
            vals = [(v, None, ()) if isinstance(v, str)
                    else (v['name'], v.get('if'), _features(v))
                    for v in e['data']]
            Enum.__init__(t, e['enum'], vals, e.get('prefix'))
        elif 'struct' in e:
            t = self.types[e['struct']]
            base = self.lookup(e['base'], where) if 'base' in e else None
            Object.__init__(t, e['struct'], base,
                            self._members(e['data'], where))
        elif 'union' in e:
            t = self.types[e['union']]
            base = self._implicit('q_obj_%s-base' % e['union'], e['base'],
                                  where)
            Object.__init__(t, e['union'], base)
            tag = [m for m in base.members() if m.name == e['discriminator']]
            if not tag or not isinstance(tag[0].type, Enum):
                raise SchemaError('%s: bad discriminator' % where)
            t.tag = tag[0]
            for case, val in e['data'].items():
                vcond = None
                if isinstance(val, dict):
                    vcond, val = val.get('if'), val['type']
                t.variants.append((case, self.lookup(val, where), vcond))
        elif 'alternate' in e:
            t = self.types[e['alternate']]
            vs = []
            for case, val in e['data'].items():
                vcond = None
                if isinstance(val, dict):
                    vcond, val = val.get('if'), val['type']
                vs.append((case, self.lookup(val, where), vcond))
            Alternate.__init__(t, e['alternate'], vs)
        elif 'command' in e:
            name = e['command']
            arg = self._implicit('q_obj_%s-arg' % name, e.get('data'), where)
            ret = e.get('returns')
            t = Command(name, arg, self.lookup(ret, where) if ret else None,
                        e.get('boxed', False), e, module)
            self.commands.append(t)
        elif 'event' in e:
            name = e['event']
            arg = self._implicit('q_obj_%s-arg' % name, e.get('data'), where)
            t = Event(name, arg, e.get('boxed', False), module)
            self.events.append(t)
        else:
            raise SchemaError('%s: unknown definition' % where)
        t.cond, t.features = cond, feats

    def user_types(self):
        return [t for t in self.order if not t.builtin]

    def listed(self):
        """User types something uses as [T]: those get a TList."""
        return [a.element for a in self.arrays()]

    def arrays(self):
        return [t for t in self.types.values()
                if isinstance(t, Array) and not t.element.builtin]


def _features(e):
    return [f if isinstance(f, str) else f['name']
            for f in e.get('features', [])]


# ---- output helpers ------------------------------------------------------

HEADER = '''/* Generated by scripts/qapi-gen.py from the qapi/ schema: do not edit. */
'''


KIND = 'all'
# -p: a prefix for the file names and the global names that would clash
# with the main schema's (a test schema's events, registration and
# introspection data); -i: how generated files include each other.
PREFIX = ''
INC = 'qapi/'


def cp(name):
    return c_name(PREFIX, False) + name


def inc(name):
    return '#include "%s%s%s"\n' % (INC, PREFIX, name)


def write(outdir, name, text):
    if KIND != 'all' and not name.endswith('.' + KIND):
        return
    path = os.path.join(outdir, PREFIX + name)
    old = None
    if os.path.exists(path):
        with open(path, encoding='utf-8') as f:
            old = f.read()
    if old != text:         # keep the timestamp: ninja rebuilds less
        with open(path, 'w', encoding='utf-8') as f:
            f.write(text)


def guard(name, body):
    g = c_name(PREFIX + name).upper()
    return '%s#ifndef %s\n#define %s\n\n%s\n#endif\n' % (HEADER, g, g, body)


def struct_order(schema):
    """Objects whose by-value members (union variants, alternate branches)
    come first, as C wants them complete."""
    done, out = set(), []

    def visit(t):
        if t.name in done or t.builtin:
            return
        done.add(t.name)
        if isinstance(t, Object):
            if t.base:
                visit(t.base)
            for _, v, _ in t.variants:
                visit(v)
        elif isinstance(t, Alternate):
            for _, v, _ in t.variants:
                if isinstance(v, Object):
                    visit(v)
        out.append(t)

    for t in schema.user_types():
        if isinstance(t, (Object, Alternate)):
            visit(t)
    return out


# ---- qapi-types ------------------------------------------------------------

def gen_types(schema):
    h = ['#include "qapi/qapi-builtin-types.h"\n#include "qapi/util.h"\n']
    c = ['#include "qcore/osdep.h"\n#include "qapi/dealloc-visitor.h"\n' +
         inc('qapi-types.h') + inc('qapi-visit.h')]
    for t in schema.user_types():
        if isinstance(t, Enum):
            body = 'typedef enum %s {\n' % t.c_name
            for v, vc, _ in t.values:
                body += wrap_if(vc, '    %s,\n' % t.const(v))
            body += '    %s__MAX,\n} %s;\n\n' % (
                t.prefix or camel_to_upper(t.name), t.c_name)
            body += 'extern const QEnumLookup %s_lookup;\n' % t.c_name
            body += '#define %s_str(val) qapi_enum_lookup(&%s_lookup, (val))' \
                '\n\n' % (t.c_name, t.c_name)
            h.append(wrap_if(t.cond, body))
            arr = ''.join(wrap_if(vc, '        [%s] = "%s",\n'
                                  % (t.const(v), v)) for v, vc, _ in t.values)
            c.append(wrap_if(t.cond,
                             'const QEnumLookup %s_lookup = {\n'
                             '    .array = (const char *const[]) {\n%s'
                             '    },\n    .size = %s__MAX,\n};\n\n'
                             % (t.c_name, arr,
                                t.prefix or camel_to_upper(t.name))))
    for t in struct_order(schema) + schema.arrays():
        h.append(wrap_if(t.cond, 'typedef struct %s %s;\n' % (t.c_name,
                                                             t.c_name)))
    h.append('\n')
    for t in struct_order(schema):
        body = 'struct %s {\n' % t.c_name
        if isinstance(t, Object):
            for m in t.members():
                decl = ''
                if m.has_flag():
                    decl += '    bool has_%s;\n' % m.c_name
                decl += '    %s%s;\n' % (_spaced(m.type.c_type()), m.c_name)
                body += wrap_if(m.cond, decl)
            if t.variants:
                body += '    union { /* union tag is @%s */\n' % t.tag.c_name
                for case, v, vc in t.variants:
                    body += wrap_if(vc, '        %s %s;\n'
                                    % (v.c_name, c_name(case)))
                body += '    } u;\n'
            if t.is_empty():
                body += '    char qapi_dummy_for_empty_struct;\n'
        else:
            body += '    QType type;\n    union {\n'
            for case, v, vc in t.variants:
                ct = v.c_name if isinstance(v, Object) else v.c_type()
                body += wrap_if(vc, '        %s%s;\n' % (_spaced(ct),
                                                         c_name(case)))
            body += '    } u;\n'
        body += '};\n\n'
        if not (isinstance(t, Object) and t.implicit):
            body += 'void qapi_free_%s(%s *obj);\n' % (t.c_name, t.c_name)
            body += 'G_DEFINE_AUTOPTR_CLEANUP_FUNC(%s, qapi_free_%s)\n\n' % (
                t.c_name, t.c_name)
            c.append(wrap_if(t.cond, _free_fn(t.c_name)))
        h.append(wrap_if(t.cond, body))
    for t in schema.listed():
        lst = t.c_name + 'List'
        body = 'struct %s {\n    %s *next;\n    %svalue;\n};\n\n' % (
            lst, lst, _spaced(t.c_type()))
        body += 'void qapi_free_%s(%s *obj);\n' % (lst, lst)
        body += 'G_DEFINE_AUTOPTR_CLEANUP_FUNC(%s, qapi_free_%s)\n\n' % (
            lst, lst)
        h.append(wrap_if(t.cond, body))
        c.append(wrap_if(t.cond, _free_fn(lst)))
    return guard('QAPI_TYPES_H', ''.join(h)), HEADER + '\n'.join(c)


def _spaced(ct):
    return ct if ct.endswith('*') else ct + ' '


def _free_fn(name):
    return ('void qapi_free_%s(%s *obj)\n{\n    Visitor *v;\n\n'
            '    if (!obj) {\n        return;\n    }\n'
            '    v = qapi_dealloc_visitor_new();\n'
            '    visit_type_%s(v, NULL, &obj, NULL);\n'
            '    visit_free(v);\n}\n\n' % (name, name, name))


# ---- qapi-visit ------------------------------------------------------------

def gen_visit(schema):
    h = ['#include "qapi/qapi-builtin-visit.h"\n' + inc('qapi-types.h') +
         '\n']
    c = ['#include "qcore/osdep.h"\n#include "qcore/error.h"\n' +
         inc('qapi-visit.h')]
    for t in schema.user_types():
        proto, body = '', ''
        if isinstance(t, Enum):
            proto = ('bool visit_type_%s(Visitor *v, const char *name, '
                     '%s *obj, Error **errp);\n' % (t.c_name, t.c_name))
            body = ('bool visit_type_%s(Visitor *v, const char *name, '
                    '%s *obj, Error **errp)\n{\n    int value = *obj;\n'
                    '    bool ok = visit_type_enum(v, name, &value, '
                    '&%s_lookup, errp);\n\n    *obj = value;\n'
                    '    return ok;\n}\n\n' % (t.c_name, t.c_name, t.c_name))
        elif isinstance(t, Object):
            proto = ('bool visit_type_%s_members(Visitor *v, %s *obj, '
                     'Error **errp);\n' % (t.c_name, t.c_name))
            body = _visit_members(t)
            if not t.implicit:
                proto += ('bool visit_type_%s(Visitor *v, const char *name, '
                          '%s **obj, Error **errp);\n' % (t.c_name, t.c_name))
                body += _visit_object(t)
        elif isinstance(t, Alternate):
            proto = ('bool visit_type_%s(Visitor *v, const char *name, '
                     '%s **obj, Error **errp);\n' % (t.c_name, t.c_name))
            body = _visit_alternate(t)
        if t in schema.listed():
            lst = t.c_name + 'List'
            proto += ('bool visit_type_%s(Visitor *v, const char *name, '
                      '%s **obj, Error **errp);\n' % (lst, lst))
            body += _visit_list(lst, t)
        h.append(wrap_if(t.cond, proto + '\n'))
        c.append(wrap_if(t.cond, body))
    return guard('QAPI_VISIT_H', ''.join(h)), HEADER + '\n'.join(c)


def _visit_member(m, ptr='obj->'):
    call = 'visit_type_%s(v, "%s", &%s%s, errp)' % (
        m.type.c_name, m.name, ptr, m.c_name)
    if not m.optional:
        return '    if (!%s) {\n        return false;\n    }\n' % call
    if m.has_flag():
        flag = '&%shas_%s' % (ptr, m.c_name)
        pre = ''
    else:
        flag = '&has_%s' % m.c_name
        pre = '    bool has_%s = !!%s%s;\n\n' % (m.c_name, ptr, m.c_name)
    return ('%s    if (visit_optional(v, "%s", %s)) {\n'
            '        if (!%s) {\n            return false;\n        }\n    }\n'
            % (pre, m.name, flag, call))


def _visit_members(t):
    out = 'bool visit_type_%s_members(Visitor *v, %s *obj, Error **errp)\n{\n' \
        % (t.c_name, t.c_name)
    if t.base:
        out += ('    if (!visit_type_%s_members(v, (%s *)obj, errp)) {\n'
                '        return false;\n    }\n' % (t.base.c_name,
                                                    t.base.c_name))
    for m in t.local_members:
        # Block scope: the has_ locals of pointer members stay apart.
        out += wrap_if(m.cond, '    {\n' + _indent(_visit_member(m)) +
                       '    }\n')
    if t.variants:
        out += '    switch (obj->%s) {\n' % t.tag.c_name
        for case, v, vc in t.variants:
            out += wrap_if(vc, '    case %s:\n        return visit_type_%s_'
                           'members(v, &obj->u.%s, errp);\n'
                           % (t.tag.type.const(case), v.c_name, c_name(case)))
        out += '    default:\n        break;\n    }\n'
    return out + '    return true;\n}\n\n'


def _indent(s):
    return ''.join('    ' + l if l.strip() else l
                   for l in s.splitlines(True))


def _visit_object(t):
    return '''bool visit_type_{c}(Visitor *v, const char *name, {c} **obj,
                  Error **errp)
{{
    bool ok = false;

    if (!visit_start_struct(v, name, (void **)obj, sizeof({c}), errp)) {{
        return false;
    }}
    if (!*obj) {{
        /* incomplete input: only the dealloc visitor gets here */
        assert(visit_is_dealloc(v));
        ok = true;
        goto out_obj;
    }}
    if (!visit_type_{c}_members(v, *obj, errp)) {{
        goto out_obj;
    }}
    ok = visit_check_struct(v, errp);
out_obj:
    visit_end_struct(v, (void **)obj);
    if (!ok && visit_is_input(v)) {{
        qapi_free_{c}(*obj);
        *obj = NULL;
    }}
    return ok;
}}

'''.format(c=t.c_name)


def _visit_list(lst, elem):
    return '''bool visit_type_{l}(Visitor *v, const char *name, {l} **obj,
                  Error **errp)
{{
    bool ok = false;
    {l} *tail;
    size_t size = sizeof(**obj);

    if (!visit_start_list(v, name, (GenericList **)obj, size, errp)) {{
        return false;
    }}
    for (tail = *obj; tail;
         tail = ({l} *)visit_next_list(v, (GenericList *)tail, size)) {{
        if (!visit_type_{e}(v, NULL, &tail->value, errp)) {{
            goto out_obj;
        }}
    }}
    ok = visit_check_list(v, errp);
out_obj:
    visit_end_list(v, (void **)obj);
    if (!ok && visit_is_input(v)) {{
        qapi_free_{l}(*obj);
        *obj = NULL;
    }}
    return ok;
}}

'''.format(l=lst, e=elem.c_name)


QTYPE_OF = {'string': 'QTYPE_QSTRING', 'number': 'QTYPE_QNUM',
            'int': 'QTYPE_QNUM', 'boolean': 'QTYPE_QBOOL',
            'null': 'QTYPE_QNULL', 'value': None}


def _visit_alternate(t):
    cases = ''
    for case, v, vc in t.variants:
        if isinstance(v, Object):
            code = ('''    case QTYPE_QDICT:
        if (!visit_start_struct(v, name, NULL, 0, errp)) {
            break;
        }
        if (visit_type_%s_members(v, &(*obj)->u.%s, errp)) {
            ok = visit_check_struct(v, errp);
        }
        visit_end_struct(v, NULL);
        break;
''' % (v.c_name, c_name(case)))
        else:
            qtype = 'QTYPE_QSTRING' if isinstance(v, Enum) else \
                'QTYPE_QLIST' if isinstance(v, Array) else \
                QTYPE_OF[v.json_type]
            code = ('    case %s:\n        ok = visit_type_%s(v, name, '
                    '&(*obj)->u.%s, errp);\n        break;\n'
                    % (qtype, v.c_name, c_name(case)))
        cases += wrap_if(vc, code)
    return '''bool visit_type_{c}(Visitor *v, const char *name, {c} **obj,
                  Error **errp)
{{
    bool ok = false;

    if (!visit_start_alternate(v, name, (GenericAlternate **)obj,
                               sizeof(**obj), errp)) {{
        return false;
    }}
    if (!*obj) {{
        assert(visit_is_dealloc(v));
        ok = true;
        goto out_obj;
    }}
    switch ((*obj)->type) {{
{cases}    case QTYPE_NONE:
        abort();
    default:
        assert(visit_is_input(v));
        error_setg(errp, "Invalid parameter type for '%s', expected: %s",
                   name ? name : "null", "{n}");
        /* nothing was allocated inside: free the shell */
        g_free(*obj);
        *obj = NULL;
    }}
out_obj:
    visit_end_alternate(v, (void **)obj);
    if (!ok && visit_is_input(v)) {{
        qapi_free_{c}(*obj);
        *obj = NULL;
    }}
    return ok;
}}

'''.format(c=t.c_name, n=t.name, cases=cases)


# ---- commands ----------------------------------------------------------

def _params(arg_type, boxed):
    if boxed:
        return ['%s *arg' % arg_type.c_name]
    out = []
    for m in arg_type.members():
        if m.has_flag():
            out.append('bool has_%s' % m.c_name)
        out.append('%s%s' % (_spaced(m.type.c_param()), m.c_name))
    return out


def _ret_c(cmd):
    if not cmd.ret_type:
        return 'void '
    return _spaced(cmd.ret_type.c_type())


def cmd_proto(cmd):
    params = _params(cmd.arg_type, cmd.boxed) + ['Error **errp']
    return '%sqmp_%s(%s)' % (_ret_c(cmd), cmd.c_name, ', '.join(params))


def _options(cmd):
    opts = []
    for key, flag in (('success-response', 'QCO_NO_SUCCESS_RESP'),
                      ('allow-oob', 'QCO_ALLOW_OOB'),
                      ('allow-preconfig', 'QCO_ALLOW_PRECONFIG'),
                      ('coroutine', 'QCO_COROUTINE')):
        val = cmd.opts.get(key)
        if (key == 'success-response' and val is False) or \
                (key != 'success-response' and val):
            opts.append(flag)
    return ' | '.join(opts) or 'QCO_NO_OPTIONS'


def gen_commands(schema):
    h = [inc('qapi-types.h') + '#include "qapi/qmp/dispatch.h"\n\n']
    for cmd in schema.commands:
        text = ''
        if cmd.opts.get('gen', True):
            text += cmd_proto(cmd) + ';\n'
        text += ('void qmp_marshal_%s(QDict *args, QObject **ret, '
                 'Error **errp);\n' % cmd.c_name)
        h.append(wrap_if(cmd.cond, text))
    h.append('\n/* Register every command of the schema. */\n'
             'void %s(QmpCommandList *cmds);\n' % cp('qmp_init_marshal'))
    per_module = {}
    for m in schema.modules:
        cmds = [c for c in schema.commands if c.module == m]
        if cmds:
            per_module[m] = _commands_module(m, cmds)
            h.append('void %s_%s(QmpCommandList *cmds);\n'
                     % (cp('qmp_init_marshal'), c_name(m)))
    init = HEADER + '#include "qcore/osdep.h"\n' + inc('qapi-commands.h') + \
        '\nvoid %s(QmpCommandList *cmds)\n{\n' % cp('qmp_init_marshal')
    for m in per_module:
        init += '    %s_%s(cmds);\n' % (cp('qmp_init_marshal'), c_name(m))
    init += '}\n'
    return guard('QAPI_COMMANDS_H', ''.join(h)), per_module, init


def _commands_module(module, cmds):
    out = [HEADER, '#include "qcore/osdep.h"\n#include "qcore/error.h"\n'
           '#include "qcore/qobject.h"\n#include "qapi/dealloc-visitor.h"\n'
           '#include "qapi/qobject-input-visitor.h"\n'
           '#include "qapi/qobject-output-visitor.h"\n' +
           inc('qapi-commands.h') + inc('qapi-visit.h') + '\n']
    outputs = set()
    for cmd in cmds:
        if not cmd.opts.get('gen', True):
            continue
        rt = cmd.ret_type
        if rt and rt.c_name not in outputs:
            outputs.add(rt.c_name)
            out.append(wrap_if(cmd.cond, _marshal_output(rt)))
        out.append(wrap_if(cmd.cond, _marshal(cmd)))
    reg = 'void %s_%s(QmpCommandList *cmds)\n{\n' % (cp('qmp_init_marshal'),
                                                  c_name(module))
    for cmd in cmds:
        feats = ' | '.join('1u << QAPI_%s' % f.upper() for f in cmd.features
                           if f in ('deprecated', 'unstable')) or '0'
        reg += wrap_if(cmd.cond,
                       '    qmp_register_command(cmds, "%s", qmp_marshal_%s,'
                       '\n                         %s, %s);\n'
                       % (cmd.name, cmd.c_name, _options(cmd), feats))
    out.append(reg + '}\n')
    return ''.join(out)


def _marshal_output(rt):
    if rt.c_name == 'any':
        # QObject results go out as they are.
        return ('static void qmp_marshal_output_any(QObject *ret_in, '
                'QObject **ret_out,\n                                   '
                'Error **errp)\n{\n    *ret_out = ret_in;\n}\n\n')
    return '''static void qmp_marshal_output_{c}({t}ret_in, QObject **ret_out,
                                 Error **errp)
{{
    Visitor *v;

    v = qobject_output_visitor_new(ret_out);
    if (visit_type_{c}(v, "unused", &ret_in, errp)) {{
        visit_complete(v, ret_out);
    }}
    visit_free(v);
    v = qapi_dealloc_visitor_new();
    visit_type_{c}(v, "unused", &ret_in, NULL);
    visit_free(v);
}}

'''.format(c=rt.c_name, t=_spaced(rt.c_type()))


def _marshal(cmd):
    at = cmd.arg_type
    has_args = not at.is_empty()
    lines = ['void qmp_marshal_%s(QDict *args, QObject **ret, Error **errp)'
             % cmd.c_name, '{', '    Error *err = NULL;', '    bool ok = false;',
             '    Visitor *v;']
    if cmd.ret_type:
        lines.append('    %sretval;' % _spaced(cmd.ret_type.c_type()))
    if has_args:
        lines.append('    %s arg = {0};' % at.c_name)
    lines += ['', '    v = qobject_input_visitor_new(QOBJECT(args));',
              '    if (!visit_start_struct(v, NULL, NULL, 0, errp)) {',
              '        goto out;', '    }']
    if has_args:
        lines += ['    if (visit_type_%s_members(v, &arg, errp)) {' % at.c_name,
                  '        ok = visit_check_struct(v, errp);', '    }']
    else:
        lines.append('    ok = visit_check_struct(v, errp);')
    lines += ['    visit_end_struct(v, NULL);', '    if (!ok) {',
              '        goto out;', '    }']
    if cmd.boxed:
        call_args = ['&arg']
    else:
        call_args = []
        for m in at.members():
            if m.has_flag():
                call_args.append('arg.has_%s' % m.c_name)
            call_args.append('arg.%s' % m.c_name)
    call = 'qmp_%s(%s)' % (cmd.c_name, ', '.join(call_args + ['&err']))
    lines.append('    %s%s;' % ('retval = ' if cmd.ret_type else '', call))
    lines += ['    if (err) {', '        error_propagate(errp, err);',
              '        goto out;', '    }']
    if cmd.ret_type:
        lines.append('    qmp_marshal_output_%s(retval, ret, errp);'
                     % cmd.ret_type.c_name)
    lines += ['out:', '    visit_free(v);']
    if has_args:
        lines += ['    v = qapi_dealloc_visitor_new();',
                  '    visit_start_struct(v, NULL, NULL, 0, NULL);',
                  '    visit_type_%s_members(v, &arg, NULL);' % at.c_name,
                  '    visit_end_struct(v, NULL);', '    visit_free(v);']
    lines.append('}\n\n')
    return '\n'.join(lines)


# ---- events ------------------------------------------------------------

def gen_events(schema):
    ev = Enum(cp('QAPIEvent'),
              [(e.name, e.cond, ()) for e in schema.events])
    evmax = camel_to_upper(ev.name) + '__MAX'
    h = [inc('qapi-types.h') + '\n', 'typedef enum %s {\n' % ev.name]
    for e in schema.events:
        h.append(wrap_if(e.cond, '    %s,\n' % ev.const(e.name)))
    h.append('    %s,\n} %s;\n\n'
             'extern const QEnumLookup %s_lookup;\n'
             '#define %s_str(val) qapi_enum_lookup(&%s_lookup, (val))\n\n'
             % (evmax, ev.name, ev.name, ev.name, ev.name))
    c = [HEADER, '#include "qcore/osdep.h"\n#include "qcore/error.h"\n'
         '#include "qcore/qobject.h"\n#include "qapi/qmp-event.h"\n'
         '#include "qapi/qobject-output-visitor.h"\n' +
         inc('qapi-events.h') + inc('qapi-visit.h') + '\n',
         'const QEnumLookup %s_lookup = {\n'
         '    .array = (const char *const[]) {\n' % ev.name]
    for e in schema.events:
        c.append(wrap_if(e.cond, '        [%s] = "%s",\n'
                         % (ev.const(e.name), e.name)))
    c.append('    },\n    .size = %s,\n};\n\n' % evmax)
    for e in schema.events:
        params = _params(e.arg_type, e.boxed) if not e.arg_type.is_empty() \
            else []
        proto = 'void qapi_event_send_%s(%s)' % (e.c_name,
                                                 ', '.join(params) or 'void')
        h.append(wrap_if(e.cond, proto + ';\n'))
        body = proto + '\n{\n    QDict *data = NULL;\n'
        if not e.arg_type.is_empty():
            at = e.arg_type
            body += '    QObject *obj;\n    Visitor *v;\n'
            if e.boxed:
                ref = 'arg'
            else:
                inits = []
                for m in at.members():
                    if m.has_flag():
                        inits.append('.has_%s = has_%s' % (m.c_name, m.c_name))
                    val = m.c_name
                    if m.type.c_param() != m.type.c_type():
                        val = '(%s)%s' % (m.type.c_type(), m.c_name)
                    inits.append('.%s = %s' % (m.c_name, val))
                body += '    %s param = { %s };\n' % (at.c_name,
                                                      ', '.join(inits))
                ref = '&param'
            body += ('\n    v = qobject_output_visitor_new(&obj);\n'
                     '    visit_start_struct(v, "%s", NULL, 0, &error_abort);\n'
                     '    visit_type_%s_members(v, %s, &error_abort);\n'
                     '    visit_check_struct(v, &error_abort);\n'
                     '    visit_end_struct(v, NULL);\n'
                     '    visit_complete(v, &obj);\n    visit_free(v);\n'
                     '    data = qobject_to(QDict, obj);\n'
                     % (e.name, at.c_name, ref))
        body += '    qapi_event_emit("%s", data);\n}\n\n' % e.name
        c.append(wrap_if(e.cond, body))
    return guard('QAPI_EVENTS_H', ''.join(h)), ''.join(c)


# ---- introspection -------------------------------------------------------

class Introspect:
    """SchemaInfo entries as QEMU's introspect.py shapes them: commands and
    events in schema order, then the types they use in order of first use,
    every non-builtin type name replaced by a number (clients must find
    types through the references, never by name)."""

    def __init__(self, schema, unmask):
        self.schema = schema
        self.unmask = unmask
        self.names = {}
        self.used = []
        self.used_set = set()

    def name(self, name):
        if self.unmask:
            return name
        if name not in self.names:
            self.names[name] = '%d' % len(self.names)
        return self.names[name]

    def use(self, t):
        # QEMU reports every integer type as int, and lists of them as [int].
        if isinstance(t, Builtin) and t.json_type == 'int':
            t = self.schema.types['int']
        if isinstance(t, Array) and isinstance(t.element, Builtin) and \
                t.element.json_type == 'int':
            t = self.schema.lookup(['int'], '')
        if t.name not in self.used_set:
            self.used_set.add(t.name)
            self.used.append(t)
        if isinstance(t, Builtin) or (isinstance(t, Enum) and t.builtin
                                      and t.name != 'QType'):
            return t.name
        if isinstance(t, Array):
            return '[%s]' % self.use(t.element)
        return self.name(t.name)

    def trees(self):
        out = []
        for cmd in self.schema.commands:
            d = {'name': cmd.name, 'meta-type': 'command',
                 'arg-type': self.use(cmd.arg_type),
                 'ret-type': self.use(cmd.ret_type or self.schema.empty)}
            if cmd.opts.get('allow-oob'):
                d['allow-oob'] = True
            out.append((d, cmd.cond, cmd.features))
        for ev in self.schema.events:
            out.append(({'name': ev.name, 'meta-type': 'event',
                         'arg-type': self.use(ev.arg_type)},
                        ev.cond, ev.features))
        i = 0
        while i < len(self.used):       # use() appends while we walk
            out.append(self.type_tree(self.used[i]))
            i += 1
        return out

    def type_tree(self, t):
        if isinstance(t, Builtin) or t.name == 'QType':
            return ({'name': t.name, 'meta-type': 'builtin',
                     'json-type': t.json_type}, None, ())
        if isinstance(t, Array):
            return ({'name': '[%s]' % self.use(t.element),
                     'meta-type': 'array',
                     'element-type': self.use(t.element)}, t.element.cond, ())
        name = self.name(t.name)
        if isinstance(t, Enum):
            members = [({'name': v}, vc, vf) for v, vc, vf in t.values]
            return ({'name': name, 'meta-type': 'enum', 'members': members,
                     'values': [(v, vc) for v, vc, _ in t.values]},
                    t.cond, t.features)
        if isinstance(t, Alternate):
            return ({'name': name, 'meta-type': 'alternate',
                     'members': [({'type': self.use(v)}, vc, ())
                                 for _, v, vc in t.variants]},
                    t.cond, t.features)
        members = []
        for m in t.members():
            d = {'name': m.name, 'type': self.use(m.type)}
            if m.optional:
                d['default'] = None
            members.append((d, m.cond, m.features))
        d = {'name': name, 'meta-type': 'object', 'members': members}
        if t.variants:
            d['tag'] = t.tag.name
            d['variants'] = [({'case': case, 'type': self.use(v)}, vc, ())
                             for case, v, vc in t.variants]
        return (d, t.cond, t.features)


def qlit(val, indent):
    """A QLitObject initializer for @val (dicts, lists, (value, cond))."""
    pad = ' ' * indent
    if isinstance(val, tuple):          # (tree, cond[, features])
        tree, cond = val[0], val[1]
        feats = val[2] if len(val) > 2 else ()
        if feats and isinstance(tree, dict):
            tree = dict(tree, features=list(feats))
        text = pad + qlit(tree, indent).lstrip() + ',\n'
        return wrap_if(cond, text)
    if val is None:
        return pad + 'QLIT_QNULL'
    if isinstance(val, bool):
        return pad + 'QLIT_QBOOL(%s)' % ('true' if val else 'false')
    if isinstance(val, str):
        return pad + 'QLIT_QSTR("%s")' % val
    if isinstance(val, list):
        items = ''.join(qlit(v if isinstance(v, tuple) else (v, None),
                            indent + 4) for v in val)
        return pad + 'QLIT_QLIST(((QLitObject[]) {\n%s%s    {}\n%s}))' % (
            items, pad, pad)
    items = ''
    for k, v in val.items():
        items += '%s    { "%s", %s },\n' % (pad, k,
                                            qlit(v, indent + 4).lstrip())
    return pad + 'QLIT_QDICT(((QLitDictEntry[]) {\n%s%s    {}\n%s}))' % (
        items, pad, pad)


def gen_introspect(schema, unmask):
    trees = Introspect(schema, unmask).trees()
    h = guard('QAPI_INTROSPECT_H', '#include "qcore/qlit.h"\n\n'
              '/* query-qmp-schema\'s answer (QEMU\'s SchemaInfo list). */\n'
              'extern const QLitObject %s;\n' % cp('qmp_schema_qlit'))
    c = HEADER + '#include "qcore/osdep.h"\n' + inc('qapi-introspect.h') + \
        '\nconst QLitObject %s = %s;\n' % (cp('qmp_schema_qlit'),
                                           qlit(trees, 0))
    return h, c


# ---- main ----------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('-o', '--output-dir', default='.')
    ap.add_argument('-u', '--unmask-non-abi-names', action='store_true',
                    help='keep type names in the introspection data')
    ap.add_argument('-p', '--prefix', default='',
                    help='prefix for file names and clashing global names')
    ap.add_argument('-i', '--include-prefix', default='qapi/',
                    help='how generated files name each other (qapi/)')
    ap.add_argument('-k', '--kind', choices=('h', 'c', 'all'), default='all',
                    help='write only the headers (h) or only the sources (c)')
    ap.add_argument('schema')
    args = ap.parse_args()
    global KIND, PREFIX, INC
    KIND = args.kind
    PREFIX = args.prefix
    INC = args.include_prefix
    try:
        schema = Schema(args.schema)
    except (SchemaError, KeyError, TypeError) as e:
        sys.exit('qapi-gen: %s' % e)
    out = args.output_dir
    os.makedirs(out, exist_ok=True)
    h, c = gen_types(schema)
    write(out, 'qapi-types.h', h)
    write(out, 'qapi-types.c', c)
    h, c = gen_visit(schema)
    write(out, 'qapi-visit.h', h)
    write(out, 'qapi-visit.c', c)
    h, per_module, init = gen_commands(schema)
    write(out, 'qapi-commands.h', h)
    write(out, 'qapi-init-commands.c', init)
    for m, text in per_module.items():
        write(out, 'qapi-commands-%s.c' % m, text)
    h, c = gen_events(schema)
    write(out, 'qapi-events.h', h)
    write(out, 'qapi-events.c', c)
    h, c = gen_introspect(schema, args.unmask_non_abi_names)
    write(out, 'qapi-introspect.h', h)
    write(out, 'qapi-introspect.c', c)


if __name__ == '__main__':
    main()

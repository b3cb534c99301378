"""A small reader for flattened device trees (the DTB format of the
devicetree specification, chapter 5), so that the tests can check what
the virt board hands the guest without depending on dtc: nodes in blob
order, each with its properties in blob order."""
import struct

MAGIC = 0xd00dfeed
BEGIN_NODE, END_NODE, PROP, NOP, END = 1, 2, 3, 4, 9


class Node:
    def __init__(self, path):
        self.path = path
        self.props = {}             # name -> bytes, in blob order
        self.children = []          # Node, in blob order

    def u32s(self, name):
        v = self.props[name]
        return list(struct.unpack('>%dI' % (len(v) // 4), v))

    def u32(self, name):
        (v,) = self.u32s(name)
        return v

    def str(self, name):
        return self.props[name].rstrip(b'\0').decode()

    def strs(self, name):
        return [s.decode() for s in self.props[name].split(b'\0')[:-1]]


def parse(blob):
    """-> {path: Node}, in the blob's order ('/' first)."""
    (magic, totalsize, off_struct, off_strings, _rsv, version, _last,
     _cpu, size_strings, size_struct) = struct.unpack_from('>10I', blob)
    assert magic == MAGIC, hex(magic)
    assert totalsize <= len(blob) and version >= 17
    strings = blob[off_strings:off_strings + size_strings]
    nodes, stack = {}, []
    pos, end = off_struct, off_struct + size_struct
    while pos < end:
        (tok,) = struct.unpack_from('>I', blob, pos)
        pos += 4
        if tok == BEGIN_NODE:
            name_end = blob.index(b'\0', pos)
            name = blob[pos:name_end].decode()
            pos = (name_end + 4) & ~3
            if not stack:
                path = '/'
            else:
                parent = stack[-1]
                path = parent.path.rstrip('/') + '/' + name
            node = Node(path)
            if stack:
                stack[-1].children.append(node)
            nodes[path] = node
            stack.append(node)
        elif tok == END_NODE:
            stack.pop()
        elif tok == PROP:
            length, nameoff = struct.unpack_from('>II', blob, pos)
            pos += 8
            pname = strings[nameoff:strings.index(b'\0', nameoff)].decode()
            stack[-1].props[pname] = blob[pos:pos + length]
            pos = (pos + length + 3) & ~3
        elif tok == NOP:
            continue
        elif tok == END:
            break
        else:
            raise ValueError('bad FDT token %d at %d' % (tok, pos - 4))
    return nodes


def read(path):
    with open(path, 'rb') as f:
        return parse(f.read())


def minimal(model='x'):
    """A valid tree with only / and its "model": no /chosen."""
    value = model.encode() + b'\0'
    strings = b'model\0'
    struct_ = struct.pack('>I', BEGIN_NODE) + b'\0\0\0\0'
    struct_ += struct.pack('>III', PROP, len(value), 0)
    struct_ += value + b'\0' * (-len(value) % 4)
    struct_ += struct.pack('>II', END_NODE, END)
    off_rsv = 40
    off_struct = off_rsv + 16
    off_strings = off_struct + len(struct_)
    total = off_strings + len(strings)
    header = struct.pack('>10I', MAGIC, total, off_struct, off_strings,
                         off_rsv, 17, 16, 0, len(strings), len(struct_))
    return header + bytes(16) + struct_ + strings

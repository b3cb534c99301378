/*
 * The layer check (docs/architecture.md): linked with every object of one
 * layer's library and only the libraries below it, so that a reference
 * from that layer to a higher one is an undefined symbol at link time.
 * Nothing to run; QEMU has no equivalent (its libraries are not checked).
 */
int main(void)
{
    return 0;
}

package officedesk

import "github.com/fieldprint/fieldprint/etcdstore"

// StoreForTest is the desk's etcd store (the benchmarks watch it).
func (o *Office) StoreForTest() *etcdstore.Store { return o.store }

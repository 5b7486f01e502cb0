import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { type TableKey, tableKeys, tables } from '../contract/tables';

export interface DataTablesProps {
  /** `prod` keeps the tables (deletion protection, retain on delete); anything else can be destroyed. */
  readonly stage: string;
}

/** The tables, built from contract/tables.ts (the same description the local runtime uses). */
export class DataTables extends Construct {
  readonly byKey: Record<TableKey, TableV2>;

  constructor(scope: Construct, id: string, props: DataTablesProps) {
    super(scope, id);
    const production = props.stage === 'prod';
    this.byKey = Object.fromEntries(
      tableKeys.map((key) => {
        const spec = tables[key];
        const table = new TableV2(this, spec.constructId, {
          partitionKey: { name: spec.partitionKey, type: AttributeType.STRING },
          sortKey: { name: spec.sortKey, type: AttributeType.STRING },
          billing: Billing.onDemand(),
          pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
          timeToLiveAttribute: spec.ttlAttribute,
          encryption: TableEncryptionV2.awsManagedKey(),
          deletionProtection: production,
          removalPolicy: production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
          globalSecondaryIndexes: spec.globalIndexes.map((index) => ({
            indexName: index.name,
            partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
            sortKey: { name: index.sortKey, type: AttributeType.STRING },
          })),
        });
        return [key, table];
      }),
    ) as Record<TableKey, TableV2>;
  }
}

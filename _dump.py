import sys, json
sys.path[:0]=['functions','.']
from pathlib import Path
from benchmarks.__main__ import quiet_stack
from benchmarks import budget
from infra.synth import ensure_synthesized
import boto3
env={"ORDERTRACK_COLLAPSE_WINDOW_SECONDS": "1","ORDERTRACK_FEEDBACK_DELAY_SECONDS": "1"}
def main():
    with quiet_stack(Path(ensure_synthesized()), env) as stack:
        budget.measure(stack, 1)
        ep=stack.endpoints()
        ddb=boto3.client('dynamodb', endpoint_url=stack.moto_endpoint, region_name=ep.get('region','us-east-1'), aws_access_key_id='testing', aws_secret_access_key='testing')
        t=ep['tables']['OrdersTable']
        items=ddb.scan(TableName=t)['Items']
        from infra.local.write_units import item_size
        for it in sorted(items,key=lambda i:(i['pk']['S'],i['sk']['S'])):
            print(item_size(it), it['pk']['S'][:40], it['sk']['S'][:50], file=sys.stderr)
            if it['sk']['S'] in ('ORDER',) or it['sk']['S'].startswith('SHIPMENT#'):
                print(json.dumps(it)[:6000], file=sys.stderr)
if __name__=='__main__':
    main()
